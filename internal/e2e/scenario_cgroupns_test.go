//go:build e2e

package e2e

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/truelimit/truelimit/internal/e2e/probe"
)

// cgroupnsScenario is cgroup v2 with private cgroup namespaces.
//
// The Docker-in-Docker shape: a container scope under a limited pod slice
// unshares its cgroup namespace, so the scope becomes "/"; inside, dockerd
// moves itself to /docker/inner. Before the container mounts cgroup2 afresh
// the only mount is the outer one, whose root reads "/../../../.."; after,
// the outer mount stays visible at /mnt/outer. A decoy cgroup at the host's
// /docker/inner holds limits that only a reader resolving the namespace's
// paths against the outer mount would report.
//
// The unreachable shape: a process unshares in one scope and is then moved,
// from outside, to a cgroup outside its namespace's root, so
// /proc/self/cgroup reads "0::/../../outside".
func cgroupnsScenario(kernel string) scenario {
	m := machine{kernel: kernel}
	_, pod := podSlice("burstable", uidA)
	ctr := pod + "/cri-containerd-" + idA + ".scope"
	_, podU := podSlice("besteffort", uidC)
	ctrU := podU + "/cri-containerd-" + idD + ".scope"
	outside := "/kubepods.slice/kubepods-besteffort.slice/outside"
	script := shellVars("POD", pod, "CTR", ctr, "CTR_U", ctrU, "OUTSIDE", outside) + `
mount -t cgroup2 cgroup2 $cg
v2_tree "$CTR" "+memory +cpu +cpuset +pids"
mkdir -p "$cg$CTR/docker/inner"
echo 268435456 > "$cg$POD/memory.max"
echo "50000 100000" > "$cg$POD/cpu.max"
echo 201326592 > "$cg$CTR/memory.max"
v2_tree /docker/inner "+memory +cpu +cpuset +pids"
echo 67108864 > $cg/docker/inner/memory.max
echo "10000 100000" > $cg/docker/inner/cpu.max
run_in "$cg$CTR" nsexec sh /e2e/dind.sh "$cg$CTR"

v2_tree "$CTR_U" "+memory +cpu +cpuset +pids"
v2_tree "$OUTSIDE" "+memory +cpu +cpuset +pids"
echo 67108864 > "$cg$OUTSIDE/memory.max"
run_in "$cg$CTR_U" nsexec -ready /run/ready sh /e2e/unreachable.sh &
wait_file /run/ready
cat /run/ready > "$cg$OUTSIDE/cgroup.procs"
wait $!
`
	// dind.sh runs in the new namespaces, in the container's scope; $1 is
	// that scope through the outer mount. Like dockerd it moves itself
	// below the scope, then enables the controllers for its children.
	dind := `set -ex
echo $$ > "$1/docker/inner/cgroup.procs"
echo "+memory +cpu +cpuset +pids" > "$1/cgroup.subtree_control"
echo "+memory +cpu +cpuset +pids" > "$1/docker/cgroup.subtree_control"
vmprobe -label outer-mount-only
mkdir -p /mnt/outer
mount --bind /sys/fs/cgroup /mnt/outer
umount /sys/fs/cgroup
mount -t cgroup2 cgroup2 /sys/fs/cgroup
exec vmprobe -label dind
`
	unreachable := `set -ex
mkdir -p /mnt/outer
mount --bind /sys/fs/cgroup /mnt/outer
umount /sys/fs/cgroup
mount -t cgroup2 cgroup2 /sys/fs/cgroup
exec vmprobe -label unreachable
`
	// Nothing can be located: no number, no scope, only the diagnostic.
	unknown := probe.Document{
		Mode:        str("v2"),
		Memory:      probe.MemoryDoc{State: "unknown"},
		CPU:         probe.CPUDoc{State: "unknown"},
		Host:        host(2, 2, false),
		Diagnostics: codes("cgroup-unreachable"),
	}
	return scenario{
		name:    "v2-cgroupns-" + kernel,
		machine: m,
		image: func(t *testing.T) string {
			return busyboxImage(t, script, func(img *initramfs) {
				img.file("e2e/dind.sh", 0o644, []byte(dind))
				img.file("e2e/unreachable.sh", 0o644, []byte(unreachable))
			})
		},
		checks: []check{
			{"outer-mount-only", func(t *testing.T, out probe.Output) {
				assert.Equal(t, "0::/docker/inner\n", out.ProcSelfCgroup)
				assert.NotEqual(t, initialCgroupNamespace, out.CgroupNamespace)
				assert.Equal(t, []mountRoot{{"/sys/fs/cgroup", "/../../../.."}}, mountRoots(out))
				assert.Equal(t, unknown, reportOf(t, out.Detect, m), "never the decoy at the outer mount's /docker/inner")
			}},
			{"dind", func(t *testing.T, out probe.Output) {
				assert.Equal(t, "0::/docker/inner\n", out.ProcSelfCgroup)
				assert.Equal(t, []mountRoot{{"/mnt/outer", "/../../../.."}, {"/sys/fs/cgroup", "/"}}, mountRoots(out))
				// In a cgroup namespace of its own every value is only the
				// tightest visible.
				assert.Equal(t, scoped(probe.Document{
					Mode:   str("v2"),
					Memory: probe.MemoryDoc{State: "limited", LimitBytes: u64(192 * mib), Source: str("/")},
					// The pod's 0.5 CPU sits above the namespace's root: invisible.
					CPU: probe.CPUDoc{State: "unlimited", CPUSetCPUs: num(2), CPUSet: str("0-1"), CPUSetSource: str("/docker/inner"),
						Weight: u64(100), WeightSource: str("/docker/inner")},
					Host:        host(2, 2, false),
					Cgroups:     v2Cgroups("/docker/inner"),
					Diagnostics: codes("ancestors-hidden", "limit-in-ancestor"),
				}, visible), reportOf(t, out.Detect, m))
			}},
			{"unreachable", func(t *testing.T, out probe.Output) {
				assert.Equal(t, "0::/../../outside\n", out.ProcSelfCgroup)
				assert.Equal(t, []mountRoot{{"/mnt/outer", "/../../../.."}, {"/sys/fs/cgroup", "/"}}, mountRoots(out))
				assert.Equal(t, unknown, reportOf(t, out.Detect, m))
			}},
		},
	}
}

// mountRoot is a cgroup mount's mount point and the root it shows
// (mountinfo fields 5 and 4).
type mountRoot struct{ point, root string }

// mountRoots returns the mount point and root of each cgroup mount the
// probe saw, in mountinfo order.
func mountRoots(out probe.Output) []mountRoot {
	return rootsOf(out.CgroupMounts)
}

// rootsOf returns the mount point and root of each mountinfo line.
func rootsOf(mountinfo []string) []mountRoot {
	roots := []mountRoot{}
	for _, line := range mountinfo {
		if f := strings.Fields(line); len(f) > 4 {
			roots = append(roots, mountRoot{point: unescapeOctal(f[4]), root: unescapeOctal(f[3])})
		}
	}
	return roots
}

// unescapeOctal undoes the kernel's escaping of a mountinfo path: space,
// tab, newline and backslash are written as "\ooo" (fs/proc_namespace.c,
// mangle), so systemd's "\x2d" in a unit name reads "\134x2d".
func unescapeOctal(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return '0' <= c && c <= '7' }
