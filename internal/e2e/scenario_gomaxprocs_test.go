//go:build e2e

package e2e

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/e2e/probe"
)

// goMaxProcsScenario boots four CPUs on cgroup v2 and runs vmprobe (the Go
// runtime alone) and vmprobeauto (limits/auto imported) in three places: a
// container at "max" in a pod of 0.5 CPU and 256 MiB, one at "max" in a pod
// of 2.5 CPUs, and one whose own cpu.max is 1.5 CPUs. The runtime reads only
// the leaf's cpu.max, so it keeps 4 below a limited pod; limits/auto applies
// the runtime's policy, max(ceil(quota), 2) capped at the CPUs, to the
// walked quota. Both run again built with a go 1.24 go line and no
// directive (vmprobe-go124, vmprobeauto-go124): the runtime then does
// nothing (containermaxprocs=0 by default), not even for the leaf's own
// quota, and limits/auto still sets GOMAXPROCS. vmprobeauto runs again
// built with //go:debug containermaxprocs=0 (runtime and limits/auto leave 4
// everywhere; GOMEMLIMIT is still set) and with //go:debug
// updatemaxprocs=0 (limits/auto sets GOMAXPROCS once).
func goMaxProcsScenario() scenario {
	m := machine{kernel: "6.12", smp: 4}
	_, podHalf := podSlice("burstable", uidA)
	_, podWide := podSlice("burstable", uidB)
	_, podFree := podSlice("besteffort", uidC)
	ctrHalf := podHalf + "/cri-containerd-" + idA + ".scope"
	ctrWide := podWide + "/cri-containerd-" + idB + ".scope"
	ctrLeaf := podFree + "/cri-containerd-" + idC + ".scope"
	script := shellVars("POD_HALF", podHalf, "POD_WIDE", podWide, "CTR_HALF", ctrHalf, "CTR_WIDE", ctrWide, "CTR_LEAF", ctrLeaf) + `
mount -t cgroup2 cgroup2 $cg
for c in "$CTR_HALF" "$CTR_WIDE" "$CTR_LEAF"; do
	v2_tree "$c" "+memory +cpu +cpuset +pids"
done
echo "50000 100000" > "$cg$POD_HALF/cpu.max"
echo 268435456 > "$cg$POD_HALF/memory.max"
echo "250000 100000" > "$cg$POD_WIDE/cpu.max"
echo "150000 100000" > "$cg$CTR_LEAF/cpu.max"
for probe in vmprobe vmprobeauto vmprobe-go124 vmprobeauto-go124 vmprobeauto-containermaxprocs vmprobeauto-updatemaxprocs; do
	run_in "$cg$CTR_HALF" $probe -label "$probe-pod-0.5"
	run_in "$cg$CTR_WIDE" $probe -label "$probe-pod-2.5"
	run_in "$cg$CTR_LEAF" $probe -label "$probe-leaf-1.5"
done
`
	type want struct {
		label       string
		cpus        float64 // the walked quota the library reports
		source      string
		gomaxprocs  int
		memoryLimit int64
	}
	cases := []want{
		{"vmprobe-pod-0.5", 0.5, podHalf, 4, math.MaxInt64},
		{"vmprobeauto-pod-0.5", 0.5, podHalf, 2, 241591910}, // 0.9 of 256 MiB
		{"vmprobe-pod-2.5", 2.5, podWide, 4, math.MaxInt64},
		{"vmprobeauto-pod-2.5", 2.5, podWide, 3, math.MaxInt64},
		{"vmprobe-leaf-1.5", 1.5, ctrLeaf, 2, math.MaxInt64},
		{"vmprobeauto-leaf-1.5", 1.5, ctrLeaf, 2, math.MaxInt64},
		{"vmprobe-go124-pod-0.5", 0.5, podHalf, 4, math.MaxInt64},
		{"vmprobeauto-go124-pod-0.5", 0.5, podHalf, 2, 241591910},
		{"vmprobe-go124-pod-2.5", 2.5, podWide, 4, math.MaxInt64},
		{"vmprobeauto-go124-pod-2.5", 2.5, podWide, 3, math.MaxInt64},
		{"vmprobe-go124-leaf-1.5", 1.5, ctrLeaf, 4, math.MaxInt64}, // the runtime alone: off
		{"vmprobeauto-go124-leaf-1.5", 1.5, ctrLeaf, 2, math.MaxInt64},
		{"vmprobeauto-containermaxprocs-pod-0.5", 0.5, podHalf, 4, 241591910},
		{"vmprobeauto-containermaxprocs-pod-2.5", 2.5, podWide, 4, math.MaxInt64},
		{"vmprobeauto-containermaxprocs-leaf-1.5", 1.5, ctrLeaf, 4, math.MaxInt64},
		{"vmprobeauto-updatemaxprocs-pod-0.5", 0.5, podHalf, 2, 241591910},
		{"vmprobeauto-updatemaxprocs-pod-2.5", 2.5, podWide, 3, math.MaxInt64},
		{"vmprobeauto-updatemaxprocs-leaf-1.5", 1.5, ctrLeaf, 2, math.MaxInt64},
	}
	var checks []check
	for _, c := range cases {
		checks = append(checks, check{c.label, func(t *testing.T, out probe.Output) {
			doc := reportOf(t, out.Detect, m)
			if assert.NotNil(t, doc.CPU.Limit) && assert.NotNil(t, doc.CPU.Source) {
				assert.Equal(t, c.cpus, *doc.CPU.Limit)
				assert.Equal(t, c.source, *doc.CPU.Source)
			}
			assert.Equal(t, str(effective), doc.CPU.Scope, "the host's namespace")
			assert.Equal(t, 4, out.NumCPU)
			assert.Equal(t, c.gomaxprocs, out.GOMAXPROCS, "GOMAXPROCS")
			assert.Equal(t, c.memoryLimit, out.MemoryLimit, "GOMEMLIMIT")
		}})
	}
	return scenario{
		name:    "gomaxprocs-6.12",
		machine: m,
		image: func(t *testing.T) string {
			return busyboxImage(t, script, func(img *initramfs) {
				for _, name := range go124Binaries {
					require.NoError(t, img.copy("e2e/"+name+"-go124", filepath.Join(vm.bin, name+"-go124")))
				}
				for _, setting := range godebugBinaries {
					name := "vmprobeauto-" + setting
					require.NoError(t, img.copy("e2e/"+name, filepath.Join(vm.bin, name)))
				}
			})
		},
		checks: checks,
	}
}
