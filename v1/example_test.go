package v1_test

import (
	"errors"
	"fmt"

	"github.com/truelimit/truelimit/cgroup"
	cgv1 "github.com/truelimit/truelimit/v1"
)

// Example reads the memory and CPU limits of one v1 cgroup directory, here a
// map from the package's file names to the files' contents.
func Example() {
	dir := map[string]string{
		cgv1.MemoryLimitInBytes:      "536870912\n",
		cgv1.MemoryMemswLimitInBytes: "9223372036854771712\n",
		cgv1.MemoryUseHierarchy:      "1\n",
		cgv1.CPUCFSQuotaUs:           "50000\n",
		cgv1.CPUCFSPeriodUs:          "100000\n",
		cgv1.CPUShares:               "1024\n",
		cgv1.CPUSetEffectiveCPUs:     "0-3\n",
	}
	mem, _, _ := cgv1.ParseLimitInBytes([]byte(dir[cgv1.MemoryLimitInBytes]))
	_, swapUnlimited, _ := cgv1.ParseLimitInBytes([]byte(dir[cgv1.MemoryMemswLimitInBytes]))
	quota, _, _ := cgv1.ParseCFSQuota([]byte(dir[cgv1.CPUCFSQuotaUs]))
	period, _ := cgv1.ParseCFSPeriod([]byte(dir[cgv1.CPUCFSPeriodUs]))
	cpus, _ := cgroup.ParseCPUList([]byte(dir[cgv1.CPUSetEffectiveCPUs]))
	fmt.Printf("memory %d MiB, memory+swap unlimited %v, %.1f CPUs of %d\n",
		mem>>20, swapUnlimited, float64(quota)/float64(period), cpus.Count())
	// Output:
	// memory 512 MiB, memory+swap unlimited true, 0.5 CPUs of 4
}

func ExampleParseLimitInBytes() {
	for _, content := range []string{"536870912\n", "9223372036854771712\n", "-1\n", "-2\n"} {
		v, unlimited, err := cgv1.ParseLimitInBytes([]byte(content))
		fmt.Println(v, unlimited, err)
	}
	// Output:
	// 536870912 false <nil>
	// 18446744073709551615 true <nil>
	// 18446744073709551615 true <nil>
	// 0 false cgroup: parsing memory.*limit_in_bytes "-2": value out of range
}

func ExampleIsUnlimited() {
	// "No limit" as printed with 4 KiB, 16 KiB and 64 KiB pages, and a limit.
	for _, v := range []uint64{9223372036854771712, 9223372036854759424, 9223372036854710272, 536870912} {
		fmt.Println(cgv1.IsUnlimited(v))
	}
	// Output:
	// true
	// true
	// true
	// false
}

func ExampleParseUseHierarchy() {
	for _, content := range []string{"1\n", "0\n", "2\n"} {
		fmt.Println(cgv1.ParseUseHierarchy([]byte(content)))
	}
	// Output:
	// true <nil>
	// false <nil>
	// false cgroup: parsing memory.use_hierarchy "2": value out of range
}

func ExampleParseMemoryStat() {
	stat := []byte("cache 1228800\nrss 5779456\nhierarchical_memory_limit 536870912\ntotal_cache 1228800\n")
	s, err := cgv1.ParseMemoryStat(stat)
	fmt.Println(s.HierarchicalMemoryLimit, s.HasHierarchicalMemoryLimit, s.HasHierarchicalMemswLimit, err)
	// Output:
	// 536870912 true false <nil>
}

func ExampleParseCFSQuota() {
	for _, content := range []string{"50000\n", "-1\n", "0\n"} {
		fmt.Println(cgv1.ParseCFSQuota([]byte(content)))
	}
	// Output:
	// 50000 false <nil>
	// 18446744073709551615 true <nil>
	// 0 false cgroup: parsing cpu.cfs_quota_us "0": value out of range
}

func ExampleParseCFSPeriod() {
	for _, content := range []string{"100000\n", "0\n"} {
		fmt.Println(cgv1.ParseCFSPeriod([]byte(content)))
	}
	// Output:
	// 100000 <nil>
	// 0 cgroup: parsing cpu.cfs_period_us "0": value out of range
}

func ExampleParseShares() {
	for _, content := range []string{"1024\n", "1\n"} {
		fmt.Println(cgv1.ParseShares([]byte(content)))
	}
	// Output:
	// 1024 <nil>
	// 0 cgroup: parsing cpu.shares "1": value out of range
}

func ExampleParseUint() {
	// memory.kmem.usage_in_bytes
	fmt.Println(cgv1.ParseUint([]byte("3407872\n")))
	_, err := cgv1.ParseUint([]byte("-1\n"))
	fmt.Println(errors.Is(err, cgroup.ErrSyntax))
	// Output:
	// 3407872 <nil>
	// true
}

func ExampleParseProcCgroups() {
	procCgroups := []byte("#subsys_name\thierarchy\tnum_cgroups\tenabled\n" +
		"cpu\t2\t98\t1\n" +
		"memory\t9\t65310\t1\n" +
		"pids\t0\t1\t0\n")
	for _, controller := range []string{"memory", "pids", "rdma"} {
		e, found, err := cgv1.ParseProcCgroups(procCgroups, controller)
		fmt.Printf("%s %+v %v %v\n", controller, e, found, err)
	}
	// Output:
	// memory {Hierarchy:9 NumCgroups:65310 Enabled:true} true <nil>
	// pids {Hierarchy:0 NumCgroups:1 Enabled:false} true <nil>
	// rdma {Hierarchy:0 NumCgroups:0 Enabled:false} false <nil>
}

func ExampleParseMemoryStatUsage() {
	stat := []byte("cache 9310208\nrss 4706304\ntotal_cache 57892864\ntotal_rss 10698752\n" +
		"total_shmem 9166848\ntotal_inactive_file 34369536\n")
	usage := uint64(68591616) // memory.usage_in_bytes
	s, err := cgv1.ParseMemoryStatUsage(stat)
	if err != nil || !s.HasTotalInactiveFile {
		return
	}
	fmt.Printf("working set %d MiB of %d MiB: rss %d MiB, cache %d MiB (shmem %d MiB)\n",
		(usage-s.TotalInactiveFile)>>20, usage>>20, s.TotalRSS>>20, s.TotalCache>>20, s.TotalShmem>>20)
	// Output:
	// working set 32 MiB of 65 MiB: rss 10 MiB, cache 55 MiB (shmem 8 MiB)
}

func ExampleParseOOMControl() {
	for _, content := range []string{
		"oom_kill_disable 0\nunder_oom 0\noom_kill 17\n",
		"oom_kill_disable 0\nunder_oom 0\n", // before Linux 4.13
	} {
		fmt.Println(cgv1.ParseOOMControl([]byte(content)))
	}
	// Output:
	// 17 true <nil>
	// 0 false <nil>
}

func ExampleParseCPUStat() {
	s, err := cgv1.ParseCPUStat([]byte("nr_periods 4217\nnr_throttled 1203\nthrottled_time 93518425634\n"))
	fmt.Printf("%+v %v\n", s, err)
	// Output:
	// {NrPeriods:4217 NrThrottled:1203 ThrottledTimeNs:93518425634 HasPeriods:true HasThrottled:true HasThrottledTime:true} <nil>
}
