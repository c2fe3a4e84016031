//go:build e2e

package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/e2e/probe"
)

// v2Scenario is cgroup v2 with kubelet's systemd-driver tree, built by hand:
// a pod whose slice holds the limits over a container scope left at "max"
// (the Kubernetes pod shape), and a pod whose container scope is tighter
// than its slice.
func v2Scenario(kernel string) scenario {
	m := machine{kernel: kernel}
	sliceA, podA := podSlice("burstable", uidA)
	ctrA := podA + "/cri-containerd-" + idA + ".scope"
	_, podB := podSlice("burstable", uidB)
	ctrB := podB + "/cri-containerd-" + idB + ".scope"
	script := shellVars("SLICE_A", sliceA, "POD_A", podA, "CTR_A", ctrA, "ID_A", idA, "ID_NEW", idC,
		"POD_B", podB, "CTR_B", ctrB) + `
mount -t cgroup2 cgroup2 $cg
v2_tree "$CTR_A" "+memory +cpu +cpuset +pids"
echo 268435456 > "$cg$POD_A/memory.max"
echo 201326592 > "$cg$POD_A/memory.high"
echo "50000 100000" > "$cg$POD_A/cpu.max"
echo 1000 > "$cg$POD_A/pids.max"
echo 1 > "$cg$POD_A/cpuset.cpus"
run_in "$cg$CTR_A" vmprobe -label pod-limit \
	-forcgroup "$SLICE_A:cri-containerd:$ID_A" -forcgroup "$CTR_A" -forcgroup "$SLICE_A:cri-containerd:$ID_NEW"
sh -ec 'echo $$ > "$0/cgroup.procs"; exec sleep 600' "$cg$CTR_A" &
wait_cgroup $! "$CTR_A"
vmprobe -label pod-limit-forpid -forpid $!
kill $!

v2_tree "$CTR_B" "+memory +cpu +cpuset +pids"
echo 1073741824 > "$cg$POD_B/memory.max"
echo "200000 100000" > "$cg$POD_B/cpu.max"
echo 134217728 > "$cg$CTR_B/memory.max"
echo "25000 100000" > "$cg$CTR_B/cpu.max"
echo 64 > "$cg$CTR_B/pids.max"
run_in "$cg$CTR_B" vmprobe -label container-limit
`
	// Every walk here is in the host's cgroup namespace and reaches its root:
	// every value is effective.
	podLimit := scoped(probe.Document{
		Mode: str("v2"),
		Memory: probe.MemoryDoc{State: "limited", LimitBytes: u64(256 * mib), Source: str(podA),
			HighBytes: u64(192 * mib), HighSource: str(podA)},
		CPU: probe.CPUDoc{State: "limited", Limit: f64(0.5), Source: str(podA), QuotaUs: u64(50000), PeriodUs: u64(100000),
			CPUSetCPUs: num(1), CPUSet: str("1"), CPUSetSource: str(ctrA), Weight: u64(100), WeightSource: str(ctrA)},
		Pids:        probe.PidsDoc{Limit: u64(1000), Source: str(podA)},
		Host:        host(2, 1, false),
		Cgroups:     v2Cgroups(ctrA),
		Diagnostics: codes("limit-in-ancestor"),
	}, effective)
	// Asked before the container's scope exists, ForCgroup walks from the pod.
	notCreated := podLimit
	notCreated.CPU.CPUSetSource, notCreated.CPU.WeightSource = str(podA), str(podA)
	notCreated.Cgroups = v2Cgroups(podA)
	notCreated.Diagnostics = codes("cgroup-not-created")

	return scenario{
		name:    "v2-" + kernel,
		machine: m,
		image:   func(t *testing.T) string { return busyboxImage(t, script, nil) },
		checks: []check{
			{"pod-limit", func(t *testing.T, out probe.Output) {
				assert.Equal(t, "0::"+ctrA+"\n", out.ProcSelfCgroup)
				assert.Equal(t, initialCgroupNamespace, out.CgroupNamespace)
				assert.Equal(t, podLimit, reportOf(t, out.Detect, m), "Detect")
				require.Len(t, out.ForCgroup, 3)
				assert.Equal(t, podLimit, reportOf(t, out.ForCgroup[0], m), "ForCgroup, OCI systemd form")
				assert.Equal(t, podLimit, reportOf(t, out.ForCgroup[1], m), "ForCgroup, cgroupfs path")
				assert.Equal(t, notCreated, reportOf(t, out.ForCgroup[2], m), "ForCgroup, scope not created yet")
				require.NotNil(t, out.Detect.Budget)
				assert.Equal(t, uint64(256*mib), out.Detect.Budget.MemoryBytes)
				assert.Equal(t, podA, out.Detect.Budget.MemorySource)
				assert.Equal(t, 1, out.Detect.Budget.CPUs, "min(cpuset 1, ceil(0.5))")
			}},
			{"pod-limit-forpid", func(t *testing.T, out probe.Output) {
				assert.Equal(t, "0::/\n", out.ProcSelfCgroup, "asked from the root cgroup")
				assert.Equal(t, 2, out.NumCPU)
				require.Len(t, out.ForPID, 1)
				assert.Equal(t, podLimit, reportOf(t, out.ForPID[0], m), "the other process's cgroups and CPU affinity")
			}},
			{"container-limit", func(t *testing.T, out probe.Output) {
				assert.Equal(t, "0::"+ctrB+"\n", out.ProcSelfCgroup)
				assert.Equal(t, scoped(probe.Document{
					Mode:   str("v2"),
					Memory: probe.MemoryDoc{State: "limited", LimitBytes: u64(128 * mib), Source: str(ctrB)},
					CPU: probe.CPUDoc{State: "limited", Limit: f64(0.25), Source: str(ctrB), QuotaUs: u64(25000), PeriodUs: u64(100000),
						CPUSetCPUs: num(2), CPUSet: str("0-1"), CPUSetSource: str(ctrB), Weight: u64(100), WeightSource: str(ctrB)},
					Pids:        probe.PidsDoc{Limit: u64(64), Source: str(ctrB)},
					Host:        host(2, 2, false),
					Cgroups:     v2Cgroups(ctrB),
					Diagnostics: codes(),
				}, effective), reportOf(t, out.Detect, m))
			}},
		},
	}
}
