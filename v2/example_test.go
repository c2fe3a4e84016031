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

func ExampleParseUint() {
	// memory.current, then pids.current holding a limit keyword by mistake
	fmt.Println(cgv2.ParseUint([]byte("213909504\n")))
	fmt.Println(cgv2.ParseUint([]byte("max\n")))
	// Output:
	// 213909504 <nil>
	// 0 cgroup: parsing unsigned integer "max": invalid syntax
}

func ExampleParseMemoryStatUsage() {
	stat := []byte("anon 150994944\nfile 54525952\nkernel 9166848\nkernel_stack 442368\n" +
		"sock 1236992\nshmem 8388608\nfile_mapped 23592960\ninactive_file 31457280\n")
	current := uint64(215089152) // memory.current
	s, err := cgv2.ParseMemoryStatUsage(stat)
	if err != nil || !s.HasInactiveFile {
		return
	}
	fmt.Printf("working set %d MiB of %d MiB: anon %d MiB, file %d MiB (shmem %d MiB), kernel %d MiB\n",
		(current-s.InactiveFile)>>20, current>>20, s.Anon>>20, s.File>>20, s.Shmem>>20, s.Kernel>>20)
	// Output:
	// working set 175 MiB of 205 MiB: anon 144 MiB, file 52 MiB (shmem 8 MiB), kernel 8 MiB
}

func ExampleParseMemoryEvents() {
	e, err := cgv2.ParseMemoryEvents([]byte("low 0\nhigh 0\nmax 1274\noom 3\noom_kill 3\noom_group_kill 0\n"))
	fmt.Printf("%+v %v\n", e, err)
	_, err = cgv2.ParseMemoryEvents([]byte("oom_kill -1\n"))
	fmt.Println(err)
	// Output:
	// {High:0 Max:1274 OOM:3 OOMKill:3 HasHigh:true HasMax:true HasOOM:true HasOOMKill:true} <nil>
	// cgroup: parsing memory.events oom_kill "oom_kill -1": invalid syntax
}

func ExampleParseCPUStat() {
	s, err := cgv2.ParseCPUStat([]byte("usage_usec 283946157\nuser_usec 225310066\nsystem_usec 58636091\n" +
		"nr_periods 52840\nnr_throttled 8127\nthrottled_usec 602349786\n"))
	if err != nil || !s.HasPeriods {
		return
	}
	fmt.Printf("%.0f s of CPU, throttled in %.1f%% of periods for %.0f s\n",
		float64(s.UsageUsec)/1e6, 100*float64(s.NrThrottled)/float64(s.NrPeriods), float64(s.ThrottledUsec)/1e6)
	// Output:
	// 284 s of CPU, throttled in 15.4% of periods for 602 s
}

func ExampleParsePressure() {
	for _, content := range []string{
		"some avg10=0.01 avg60=0.22 avg300=2.51 total=394599288\nfull avg10=0.01 avg60=0.15 avg300=1.68 total=204664137\n",
		"some avg10=2.04 avg60=0.75 avg300=0.40 total=157656722\n", // cpu.pressure before 5.13
		"some avg10=250.00 avg60=0.75 avg300=0.40 total=157656722\n",
	} {
		p, err := cgv2.ParsePressure([]byte(content))
		fmt.Println(p.Some.Avg60, p.Some.TotalUsec, p.HasFull, p.Full.Avg300, err)
	}
	// Output:
	// 0.22 394599288 true 1.68 <nil>
	// 0.75 157656722 false 0 <nil>
	// 0 0 false 0 cgroup: parsing *.pressure some "some avg10=250.00 avg60=0.75 avg300=0.40 total=157656722": value out of range
}
