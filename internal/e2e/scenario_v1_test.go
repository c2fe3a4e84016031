//go:build e2e

package e2e

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/truelimit/truelimit/internal/e2e/probe"
)

// v1Tree builds kubelet's cgroupfs-driver tree in v1 hierarchies mounted by
// v1_mount, one layout per controller: memory and cpu,cpuacct at the
// container below a limited pod, cpuset at /pinned (CPU 1 only), pids at
// /pids-group/x below a pids.max of 512. It starts the probe there.
const v1Tree = `
mkdir -p "$cg/memory$CTR" "$cg/cpu,cpuacct$CTR" "$cg/pids/pids-group/x"
echo 268435456 > "$cg/memory$POD/memory.limit_in_bytes"
echo 50000 > "$cg/cpu,cpuacct$POD/cpu.cfs_quota_us"
v1_cpuset_tree /pinned
echo 1 > "$cg/cpuset/pinned/cpuset.cpus"
echo 512 > "$cg/pids/pids-group/pids.max"
run_in "$cg/memory$CTR $cg/cpu,cpuacct$CTR $cg/cpuset/pinned $cg/pids/pids-group/x" vmprobe -label pod-limit
`

// v1PodLimit is the answer for v1Tree with the mode given; its walks reach
// the host's root, so every value is effective.
func v1PodLimit(mode, pod, ctr string) probe.Document {
	return scoped(probe.Document{
		Mode:   str(mode),
		Memory: probe.MemoryDoc{State: "limited", LimitBytes: u64(256 * mib), Source: str(pod)},
		CPU: probe.CPUDoc{State: "limited", Limit: f64(0.5), Source: str(pod), QuotaUs: u64(50000), PeriodUs: u64(100000),
			CPUSetCPUs: num(1), CPUSet: str("1"), CPUSetSource: str("/pinned"), Shares: u64(1024), WeightSource: str(ctr)},
		Pids: probe.PidsDoc{Limit: u64(512), Source: str("/pids-group")},
		Host: host(2, 1, true),
		Cgroups: probe.CgroupsDoc{
			Memory: placement(1, "/sys/fs/cgroup/memory", ctr),
			CPU:    placement(1, "/sys/fs/cgroup/cpu,cpuacct", ctr),
			CPUSet: placement(1, "/sys/fs/cgroup/cpuset", "/pinned"),
			Pids:   placement(1, "/sys/fs/cgroup/pids", "/pids-group/x"),
		},
		Diagnostics: codes("limit-in-ancestor"),
	}, effective)
}

// v1Scenario is cgroup v1 on kernel 6.1 (Debian's 6.12 has no v1 memory or
// cpuset): separate memory, cpuset and pids hierarchies and a co-mounted
// cpu,cpuacct, with v1Tree's per-controller layout; then a container with a
// private cgroup namespace that mounts every hierarchy afresh (the outer
// mounts stay visible at /mnt/outer), where only the leaf's
// hierarchical_memory_limit still shows the pod's memory limit.
func v1Scenario() scenario {
	m := machine{kernel: "6.1"}
	pod := "/kubepods/burstable/pod" + uidA
	ctr := pod + "/" + idA
	podNS := "/kubepods/besteffort/pod" + uidB
	ctrNS := podNS + "/" + idB
	script := shellVars("POD", pod, "CTR", ctr, "POD_NS", podNS, "CTR_NS", ctrNS) + `
v1_mount memory cpu,cpuacct cpuset pids
` + v1Tree + `
mkdir -p "$cg/memory$CTR_NS" "$cg/cpu,cpuacct$CTR_NS" "$cg/pids$CTR_NS"
v1_cpuset_tree "$CTR_NS"
echo 201326592 > "$cg/memory$POD_NS/memory.limit_in_bytes"
echo 25000 > "$cg/cpu,cpuacct$POD_NS/cpu.cfs_quota_us"
run_in "$cg/memory$CTR_NS $cg/cpu,cpuacct$CTR_NS $cg/cpuset$CTR_NS $cg/pids$CTR_NS" nsexec sh /e2e/cgroupns.sh
`
	cgroupns := `set -ex
mkdir -p /mnt/outer
mount --rbind /sys/fs/cgroup /mnt/outer
. /e2e/lib.sh
v1_mount memory cpu,cpuacct cpuset pids
exec vmprobe -label cgroupns
`
	return scenario{
		name:    "v1-6.1",
		machine: m,
		image: func(t *testing.T) string {
			return busyboxImage(t, script, func(img *initramfs) {
				img.file("e2e/cgroupns.sh", 0o644, []byte(cgroupns))
			})
		},
		checks: []check{
			{"pod-limit", func(t *testing.T, out probe.Output) {
				assert.Contains(t, out.ProcSelfCgroup, ":memory:"+ctr+"\n")
				assert.Contains(t, out.ProcSelfCgroup, ":cpu,cpuacct:"+ctr+"\n")
				assert.Contains(t, out.ProcSelfCgroup, ":cpuset:/pinned\n")
				assert.Contains(t, out.ProcSelfCgroup, ":pids:/pids-group/x\n")
				assert.NotContains(t, out.ProcSelfCgroup, "0::", "no 0:: line while cgroup2 is not mounted")
				assert.Len(t, out.CgroupMounts, 4, "v1 only")
				assert.Equal(t, v1PodLimit("v1", pod, ctr), reportOf(t, out.Detect, m))
			}},
			{"cgroupns", func(t *testing.T, out probe.Output) {
				for _, line := range strings.Split(strings.TrimSpace(out.ProcSelfCgroup), "\n") {
					assert.True(t, strings.HasSuffix(line, ":/"), "%q: the namespace's root", line)
				}
				roots := mountRoots(out)
				assert.Contains(t, roots, mountRoot{"/mnt/outer/memory", "/../../../.."})
				assert.Contains(t, roots, mountRoot{"/sys/fs/cgroup/memory", "/../../../.."}, "the outer mount, covered")
				assert.Contains(t, roots, mountRoot{"/sys/fs/cgroup/memory", "/"})
				// The CPU and pids values are only the tightest visible; the
				// memory limit and memsw, from memory.stat, are effective.
				assert.Equal(t, scoped(probe.Document{
					Mode:   str("v1"),
					Memory: probe.MemoryDoc{State: "limited", LimitBytes: u64(192 * mib), Source: str("hierarchical_memory_limit")},
					// The pod's quota is above the namespace's root: invisible on v1 too.
					CPU: probe.CPUDoc{State: "unlimited", CPUSetCPUs: num(2), CPUSet: str("0-1"), CPUSetSource: str("/"),
						Shares: u64(1024), WeightSource: str("/")},
					Host: host(2, 2, true),
					Cgroups: probe.CgroupsDoc{
						Memory: placement(1, "/sys/fs/cgroup/memory", "/"),
						CPU:    placement(1, "/sys/fs/cgroup/cpu,cpuacct", "/"),
						CPUSet: placement(1, "/sys/fs/cgroup/cpuset", "/"),
						Pids:   placement(1, "/sys/fs/cgroup/pids", "/"),
					},
					Diagnostics: codes("ancestors-hidden", "limit-in-ancestor"),
				}, visible), reportOf(t, out.Detect, m))
			}},
		},
	}
}

// hybridScenario is the hybrid layout systemd made before v2 became the
// default: v1Tree's v1 hierarchies with cgroup2 mounted at
// /sys/fs/cgroup/unified holding no controller the process uses.
func hybridScenario() scenario {
	m := machine{kernel: "6.1"}
	pod := "/kubepods/burstable/pod" + uidA
	ctr := pod + "/" + idA
	script := shellVars("POD", pod, "CTR", ctr) + `
v1_mount memory cpu,cpuacct cpuset pids
mkdir "$cg/unified"
mount -t cgroup2 cgroup2 "$cg/unified"
mkdir -p "$cg/unified$CTR"
` + strings.Replace(v1Tree, `run_in "`, `run_in "$cg/unified$CTR `, 1)
	return scenario{
		name:    "hybrid-6.1",
		machine: m,
		image:   func(t *testing.T) string { return busyboxImage(t, script, nil) },
		checks: []check{
			{"pod-limit", func(t *testing.T, out probe.Output) {
				assert.Contains(t, out.ProcSelfCgroup, "0::"+ctr+"\n")
				assert.Contains(t, mountRoots(out), mountRoot{"/sys/fs/cgroup/unified", "/"})
				assert.Equal(t, v1PodLimit("hybrid", pod, ctr), reportOf(t, out.Detect, m))
			}},
		},
	}
}

// memoryOnV2Scenario is the hybrid layout with cgroup_no_v1=memory: memory
// (and cpuset) on the cgroup2 mount at /sys/fs/cgroup/unified, cpu,cpuacct
// and pids on v1.
func memoryOnV2Scenario(kernel string) scenario {
	m := machine{kernel: kernel, cmdline: "cgroup_no_v1=memory"}
	pod := "/kubepods/burstable/pod" + uidA
	ctr := pod + "/" + idA
	script := shellVars("POD", pod, "CTR", ctr) + `
mkdir /tmp/memory
if mount -t cgroup -o memory cgroup /tmp/memory; then
	echo "v1 memory mounted despite cgroup_no_v1=memory"
	exit 1
fi
v1_mount cpu,cpuacct pids
mkdir "$cg/unified"
mount -t cgroup2 cgroup2 "$cg/unified"
(
	cg=$cg/unified
	v2_tree "$CTR" "+memory +cpuset"
)
echo 268435456 > "$cg/unified$POD/memory.max"
mkdir -p "$cg/cpu,cpuacct$CTR" "$cg/pids$CTR"
echo 50000 > "$cg/cpu,cpuacct$POD/cpu.cfs_quota_us"
run_in "$cg/unified$CTR $cg/cpu,cpuacct$CTR $cg/pids$CTR" vmprobe -label memory-on-v2
`
	return scenario{
		name:    "hybrid-memory-v2-" + kernel,
		machine: m,
		image:   func(t *testing.T) string { return busyboxImage(t, script, nil) },
		checks: []check{
			{"memory-on-v2", func(t *testing.T, out probe.Output) {
				assert.Contains(t, out.ProcSelfCgroup, "0::"+ctr+"\n")
				assert.Contains(t, out.ProcSelfCgroup, ":cpu,cpuacct:"+ctr+"\n")
				assert.NotContains(t, out.ProcSelfCgroup, ":memory:")
				assert.Equal(t, scoped(probe.Document{
					Mode:   str("hybrid"),
					Memory: probe.MemoryDoc{State: "limited", LimitBytes: u64(256 * mib), Source: str(pod)},
					CPU: probe.CPUDoc{State: "limited", Limit: f64(0.5), Source: str(pod), QuotaUs: u64(50000), PeriodUs: u64(100000),
						CPUSetCPUs: num(2), CPUSet: str("0-1"), CPUSetSource: str(ctr), Shares: u64(1024), WeightSource: str(ctr)},
					Host: host(2, 2, false),
					Cgroups: probe.CgroupsDoc{
						Memory: placement(2, "/sys/fs/cgroup/unified", ctr),
						CPU:    placement(1, "/sys/fs/cgroup/cpu,cpuacct", ctr),
						CPUSet: placement(2, "/sys/fs/cgroup/unified", ctr),
						Pids:   placement(1, "/sys/fs/cgroup/pids", ctr),
					},
					Diagnostics: codes("limit-in-ancestor"),
				}, effective), reportOf(t, out.Detect, m))
			}},
		},
	}
}
