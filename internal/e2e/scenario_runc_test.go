//go:build e2e

package e2e

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/e2e/probe"
)

// runcScenario runs Debian's runc inside a cgroup v2 VM with its cgroupfs
// driver: two containers below a pod cgroup limited to 256 MiB and 0.5 CPU,
// one without a cgroup namespace and no limits of its own, one with a
// cgroup namespace and a 128 MiB memory limit. The probe runs inside each
// (runc exec) and outside, asking ForPID about the container's process.
func runcScenario(kernel string) scenario {
	m := machine{kernel: kernel}
	pod := "/kubepods/burstable/pod" + uidA
	ctrPlain := pod + "/" + idA
	ctrNS := pod + "/" + idB
	script := shellVars("POD", pod, "CTR_PLAIN", ctrPlain) + `
mount -t cgroup2 cgroup2 $cg
v2_tree "$POD" "+memory +cpu +cpuset +pids"
echo "+memory +cpu +cpuset +pids" > "$cg$POD/cgroup.subtree_control"
echo 268435456 > "$cg$POD/memory.max"
echo "50000 100000" > "$cg$POD/cpu.max"
for c in plain cgroupns; do
	runc --root /run/runc run -d --no-pivot -b "/bundles/$c" "$c" < /dev/null > /dev/null
	runc --root /run/runc exec "$c" /vmprobe -label "$c-inside"
	pid=$(runc --root /run/runc state "$c" | sed -n 's/^ *"pid": *\([0-9]*\),$/\1/p')
	if [ "$c" = plain ]; then
		vmprobe -label "$c-outside" -forpid "$pid" -forcgroup "$CTR_PLAIN"
	else
		vmprobe -label "$c-outside" -forpid "$pid"
	fi
done
`
	// Without a cgroup namespace the container sees every level: effective.
	plain := scoped(probe.Document{
		Mode:   str("v2"),
		Memory: probe.MemoryDoc{State: "limited", LimitBytes: u64(256 * mib), Source: str(pod)},
		CPU: probe.CPUDoc{State: "limited", Limit: f64(0.5), Source: str(pod), QuotaUs: u64(50000), PeriodUs: u64(100000),
			CPUSetCPUs: num(2), CPUSet: str("0-1"), CPUSetSource: str(ctrPlain), Weight: u64(100), WeightSource: str(ctrPlain)},
		Host:        host(2, 2, false),
		Cgroups:     v2Cgroups(ctrPlain),
		Diagnostics: codes("limit-in-ancestor"),
	}, effective)
	// From outside, the namespaced container's memory limit and the pod's
	// CPU limit are both visible, and effective; the CPU limit is hidden from
	// the process.
	nsOutside := scoped(probe.Document{
		Mode:   str("v2"),
		Memory: probe.MemoryDoc{State: "limited", LimitBytes: u64(128 * mib), Source: str(ctrNS)},
		CPU: probe.CPUDoc{State: "limited", Limit: f64(0.5), Source: str(pod), QuotaUs: u64(50000), PeriodUs: u64(100000),
			CPUSetCPUs: num(2), CPUSet: str("0-1"), CPUSetSource: str(ctrNS), Weight: u64(100), WeightSource: str(ctrNS)},
		Host:        host(2, 2, false),
		Cgroups:     v2Cgroups(ctrNS),
		Diagnostics: codes(codeHidden, "limit-in-ancestor"),
	}, effective)
	return scenario{
		name:    "runc-" + kernel,
		machine: m,
		image: func(t *testing.T) string {
			return busyboxImage(t, script, func(img *initramfs) {
				addRunc(t, img)
				require.NoError(t, img.copy("bundles/rootfs/vmprobe", filepath.Join(vm.bin, "vmprobe")))
				require.NoError(t, img.copy("bundles/rootfs/bin/busybox", vm.busybox))
				for _, d := range []string{"proc", "sys", "dev"} {
					img.dir("bundles/rootfs/" + d)
				}
				img.file("bundles/plain/config.json", 0o644, runcConfig(t, "/bundles/rootfs", ctrPlain, false, 0))
				img.file("bundles/cgroupns/config.json", 0o644, runcConfig(t, "/bundles/rootfs", ctrNS, true, 128*mib))
			})
		},
		checks: []check{
			{"plain-inside", func(t *testing.T, out probe.Output) {
				assert.Equal(t, "0::"+ctrPlain+"\n", out.ProcSelfCgroup)
				assert.Equal(t, []mountRoot{{"/sys/fs/cgroup", "/"}}, mountRoots(out))
				assert.Equal(t, plain, reportOf(t, out.Detect, m))
			}},
			{"plain-outside", func(t *testing.T, out probe.Output) {
				assert.Len(t, out.ForPID, 1)
				assert.Len(t, out.ForCgroup, 1)
				assert.Equal(t, plain, reportOf(t, out.ForPID[0], m), "ForPID of the container's process")
				assert.Equal(t, plain, reportOf(t, out.ForCgroup[0], m), "ForCgroup of its cgroupsPath")
			}},
			{"cgroupns-inside", func(t *testing.T, out probe.Output) {
				assert.Equal(t, "0::/\n", out.ProcSelfCgroup)
				assert.NotEqual(t, initialCgroupNamespace, out.CgroupNamespace)
				assert.Equal(t, []mountRoot{{"/sys/fs/cgroup", "/"}}, mountRoots(out))
				// In its own cgroup namespace: only the tightest visible.
				assert.Equal(t, scoped(probe.Document{
					Mode:   str("v2"),
					Memory: probe.MemoryDoc{State: "limited", LimitBytes: u64(128 * mib), Source: str("/")},
					// The pod's 0.5 CPU is above the namespace's root.
					CPU: probe.CPUDoc{State: "unlimited", CPUSetCPUs: num(2), CPUSet: str("0-1"), CPUSetSource: str("/"),
						Weight: u64(100), WeightSource: str("/")},
					Host:        host(2, 2, false),
					Cgroups:     v2Cgroups("/"),
					Diagnostics: codes("ancestors-hidden"),
				}, visible), reportOf(t, out.Detect, m))
			}},
			{"cgroupns-outside", func(t *testing.T, out probe.Output) {
				assert.Len(t, out.ForPID, 1)
				assert.Equal(t, nsOutside, reportOf(t, out.ForPID[0], m), "ForPID of the container's process")
				assertHiddenMessage(t, out.ForPID[0], ctrNS, hiddenValue{"0.5", pod})
			}},
		},
	}
}

// runcConfig is a minimal OCI runtime config for a container of the root
// file system rootfs (a path relative to the bundle, or absolute) that
// sleeps, in cgroup cgroupsPath, with a cgroup namespace of its own if
// cgroupns, and memory.max memoryLimit if not 0.
func runcConfig(t *testing.T, rootfs, cgroupsPath string, cgroupns bool, memoryLimit uint64) []byte {
	t.Helper()
	namespaces := []map[string]string{{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "network"}}
	if cgroupns {
		namespaces = append(namespaces, map[string]string{"type": "cgroup"})
	}
	resources := map[string]any{}
	if memoryLimit != 0 {
		resources["memory"] = map[string]any{"limit": memoryLimit}
	}
	config := map[string]any{
		"ociVersion": "1.0.2",
		"process": map[string]any{
			"terminal": false,
			"user":     map[string]int{"uid": 0, "gid": 0},
			"args":     []string{"/bin/busybox", "sleep", "600"},
			"env":      []string{"PATH=/bin"},
			"cwd":      "/",
		},
		"root":     map[string]any{"path": rootfs},
		"hostname": "container",
		"mounts": []map[string]any{
			{"destination": "/proc", "type": "proc", "source": "proc"},
			{"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": []string{"nosuid", "mode=755"}},
			{"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": []string{"nosuid", "noexec", "nodev", "ro"}},
			{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": []string{"nosuid", "noexec", "nodev", "relatime", "ro"}},
		},
		"linux": map[string]any{
			"cgroupsPath": cgroupsPath,
			"resources":   resources,
			"namespaces":  namespaces,
		},
	}
	data, err := json.Marshal(config)
	require.NoError(t, err)
	return data
}

// lddPath matches a shared library in ldd's output: "lib => /path (0x..)"
// or "/lib64/ld-linux-x86-64.so.2 (0x...)".
var lddPath = regexp.MustCompile(`(?m)(?:=> |^\s*)(/\S+) \(0x`)

// addRunc adds runc as /e2e/runc and the shared libraries ldd lists for it
// at their paths.
func addRunc(t *testing.T, img *initramfs) {
	t.Helper()
	require.NoError(t, img.copy("e2e/runc", vm.runc))
	out, err := exec.Command("ldd", vm.runc).Output()
	require.NoError(t, err, "ldd %s", vm.runc)
	libs := lddPath.FindAllStringSubmatch(string(out), -1)
	require.NotEmpty(t, libs, "ldd %s:\n%s", vm.runc, out)
	for _, lib := range libs {
		require.NoError(t, img.copy(lib[1], lib[1]))
	}
}
