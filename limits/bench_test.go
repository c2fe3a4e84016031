package limits_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/truelimit/truelimit/limits"
)

// fiveLevelV2 is the shape of a Kubernetes pod on a systemd host:
// / > kubepods.slice > kubepods-burstable.slice > pod slice > container scope.
func fiveLevelV2() map[string]string {
	levels := []string{"kubepods.slice", "kubepods-burstable.slice", "kubepods-burstable-pod1234.slice", "cri-containerd-abcd.scope"}
	files := map[string]string{
		"proc/self/mountinfo":                 v2Mountinfo,
		"proc/self/cgroup":                    "0::/" + strings.Join(levels, "/") + "\n",
		"proc/meminfo":                        "MemTotal:        8000000 kB\n",
		"sys/devices/system/cpu/online":       "0-3\n",
		"sys/fs/cgroup/cgroup.controllers":    "cpuset cpu io memory pids\n",
		"sys/fs/cgroup/cpuset.cpus.effective": "0-3\n",
	}
	dir := "sys/fs/cgroup"
	for i, l := range levels {
		dir += "/" + l
		files[dir+"/cgroup.controllers"] = "cpuset cpu io memory pids\n"
		files[dir+"/memory.max"] = "max\n"
		files[dir+"/memory.high"] = "max\n"
		files[dir+"/memory.swap.max"] = "max\n"
		files[dir+"/cpu.max"] = "max 100000\n"
		files[dir+"/cpu.weight"] = "100\n"
		files[dir+"/cpuset.cpus.effective"] = "0-3\n"
		files[dir+"/pids.max"] = "max\n"
		if i == 2 {
			files[dir+"/memory.max"] = fmt.Sprint(256<<20) + "\n"
			files[dir+"/cpu.max"] = "50000 100000\n"
		}
	}
	return files
}

func BenchmarkDetect(b *testing.B) {
	b.Run("host", func(b *testing.B) {
		if _, err := limits.Detect(); err != nil {
			b.Skip("no live cgroups here:", err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := limits.Detect(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("v2-5-levels", func(b *testing.B) {
		root := writeTree(b, fiveLevelV2())
		res, err := limits.Detect(limits.WithRoot(root))
		if err != nil || res.Memory.Limit.Value != 256<<20 || res.CPU.Limit.CPUs() != 0.5 {
			b.Fatalf("tree answers %+v, %v", res, err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := limits.Detect(limits.WithRoot(root)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSetterStart is what limits/auto does at init on the live system
// (both values, refreshing every second), then undone: SetGoLimits with one
// detection against the two setters called one after the other.
func BenchmarkSetterStart(b *testing.B) {
	if _, err := limits.Detect(); err != nil {
		b.Skip("no live cgroups here:", err)
	}
	b.Run("SetGoLimits", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _, undo, err := limits.SetGoLimits([]limits.MemoryOption{limits.WithRefresh(time.Second)}, nil)
			if err != nil {
				b.Fatal(err)
			}
			undo()
		}
	})
	b.Run("two-setters", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, undoMem, err := limits.SetGoMemLimit(limits.WithRefresh(time.Second))
			if err != nil {
				b.Fatal(err)
			}
			_, undoProcs, err := limits.SetGoMaxProcs(limits.WithRefresh(time.Second))
			if err != nil {
				b.Fatal(err)
			}
			undoProcs()
			undoMem()
		}
	})
}
