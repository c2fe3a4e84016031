package v2_test

import (
	"fmt"

	"github.com/truelimit/truelimit/cgroup"
	cgv2 "github.com/truelimit/truelimit/v2"
)

// Example reads the limits of one v2 cgroup directory, here a map from the
// package's file names to the files' contents.
func Example() {
	dir := map[string]string{
		cgv2.Controllers:         "cpuset cpu io memory pids\n",
		cgv2.MemoryMax:           "536870912\n",
		cgv2.MemoryHigh:          "max\n",
		cgv2.MemorySwapMax:       "0\n",
		cgv2.CPUMax:              "150000 100000\n",
		cgv2.CPUWeight:           "100\n",
		cgv2.CPUSetCPUsEffective: "0-3\n",
		cgv2.PidsMax:             "max\n",
	}
	if !cgv2.HasController([]byte(dir[cgv2.Controllers]), "memory") {
		return
	}
	mem, _, _ := cgv2.ParseMax([]byte(dir[cgv2.MemoryMax]))
	_, highUnlimited, _ := cgv2.ParseMax([]byte(dir[cgv2.MemoryHigh]))
	swap, _, _ := cgv2.ParseMax([]byte(dir[cgv2.MemorySwapMax]))
	quota, period, _, _ := cgv2.ParseCPUMax([]byte(dir[cgv2.CPUMax]))
	weight, _ := cgv2.ParseCPUWeight([]byte(dir[cgv2.CPUWeight]))
	cpus, _ := cgroup.ParseCPUList([]byte(dir[cgv2.CPUSetCPUsEffective]))
	_, pidsUnlimited, _ := cgv2.ParseMax([]byte(dir[cgv2.PidsMax]))
	fmt.Printf("memory %d MiB (high unlimited %v, swap %d), %.1f CPUs of %d, weight %d, pids unlimited %v\n",
		mem>>20, highUnlimited, swap, float64(quota)/float64(period), cpus.Count(), weight, pidsUnlimited)
	// Output:
	// memory 512 MiB (high unlimited true, swap 0), 1.5 CPUs of 4, weight 100, pids unlimited true
}

func ExampleParseMax() {
	for _, content := range []string{"536870912\n", "max\n", "512M\n"} {
		fmt.Println(cgv2.ParseMax([]byte(content)))
	}
	// Output:
	// 536870912 false <nil>
	// 18446744073709551615 true <nil>
	// 0 false cgroup: parsing "max" or unsigned integer "512M": invalid syntax
}

func ExampleParseCPUMax() {
	for _, content := range []string{"50000 100000\n", "max 100000\n", "25000\n", "50000 0\n"} {
		fmt.Println(cgv2.ParseCPUMax([]byte(content)))
	}
	// Output:
	// 50000 100000 false <nil>
	// 18446744073709551615 100000 true <nil>
	// 25000 100000 false <nil>
	// 0 0 false cgroup: parsing cpu.max "50000 0": value out of range
}

func ExampleParseCPUWeight() {
	for _, content := range []string{"100\n", "0\n"} {
		fmt.Println(cgv2.ParseCPUWeight([]byte(content)))
	}
	// Output:
	// 100 <nil>
	// 0 cgroup: parsing cpu.weight "0": value out of range
}

func ExampleHasController() {
	controllers := []byte("cpuset cpu io memory pids\n")
	for _, name := range []string{"cpu", "memory", "hugetlb"} {
		fmt.Println(name, cgv2.HasController(controllers, name))
	}
	// Output:
	// cpu true
	// memory true
	// hugetlb false
}
