package report_test

import (
	"encoding/json"
	"fmt"
	"os"

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

// The short name of the cgroup that sets a limit, as the summary prints it.
func ExampleLevelName() {
	fmt.Println(report.LevelName("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod2d7d6742_06e6_4c5c_a405_5a05fa9b85a6.slice"))
	fmt.Println(report.LevelName("/user.slice/user-1000.slice"))
	// Output:
	// pod 2d7d6742 (burstable)
	// slice user-1000
}

// The answer first, for a captured pod: the limits and the pod that sets
// them, then the diagnostics (none here).
func ExampleSummary() {
	res, err := limits.Detect(limits.WithRoot("../../testdata/v2-k8s-systemd-container-limit"))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := report.Summary(os.Stdout, res, nil); err != nil {
		fmt.Println(err)
	}
	// Output:
	// cgroup v2, process in container 251bcd0f (containerd) in pod 78784b50 (burstable)
	//
	// Limits
	//   memory       512 MiB            container 251bcd0f (containerd)
	//   memory.high  unlimited
	//   swap         unlimited
	//   cpu          0.5 CPUs           container 251bcd0f (containerd)
	//   cpuset       8 CPUs (0-7)       container 251bcd0f (containerd)
	//   pids         4096               pod 78784b50 (burstable)
	//   host         15.63 GiB, 8 CPUs  totals, not limits
	//
	// Diagnostics
	//   (none)
}

// What each diagnostic code means and what to do, as `cgroupinfo -h` lists them.
func ExampleDiagnosticHelp() {
	for _, h := range report.DiagnosticHelp()[:2] {
		fmt.Printf("%s: %s\n", h.Code, h.Action)
	}
	// Output:
	// limit-in-ancestor: size heaps and worker pools from the effective limit shown here, not from the leaf's own files
	// ancestors-hidden: ask from outside (cgroupinfo -pid PID on the host), or pass the limit in (e.g. the downward API)
}
