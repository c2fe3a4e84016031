package report_test

import (
	"encoding/json"
	"fmt"

	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/report"
)

// The JSON of `cgroupinfo -json` for a captured pod, and one of its keys.
func ExampleJSON() {
	res, err := limits.Detect(limits.WithRoot("../../testdata/v2-k8s-systemd-pod-limit-leaf-max"))
	if err != nil {
		fmt.Println(err)
		return
	}
	data, err := report.JSON(res, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	var doc struct {
		Memory struct {
			LimitBytes uint64 `json:"limit_bytes"`
		} `json:"memory"`
		CPU struct {
			Limit float64 `json:"limit"`
		} `json:"cpu"`
	}
	fmt.Println(json.Unmarshal(data, &doc), doc.Memory.LimitBytes, doc.CPU.Limit)
	// Output:
	// <nil> 2147483648 2
}
