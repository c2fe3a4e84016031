//go:build e2e

package e2e

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/e2e/probe"
	"github.com/truelimit/truelimit/systemd"
)

// systemdUnit runs the scenario once the guest has booted and powers the VM
// off whether it succeeded or failed.
const systemdUnit = `[Unit]
Description=truelimit VM probe
After=basic.target

[Service]
Type=oneshot
ExecStart=/e2e/run.sh
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0

[Install]
WantedBy=multi-user.target
`

// systemdMasked are units that only cost boot time in the guest.
var systemdMasked = []string{
	"getty@.service", "serial-getty@.service", "console-getty.service", "autovt@.service",
	"systemd-logind.service", "systemd-firstboot.service", "e2scrub_reap.service", "systemd-pstore.service",
	"apt-daily.timer", "apt-daily-upgrade.timer", "e2scrub_all.timer", "fstrim.timer",
	"dpkg-db-backup.timer", "systemd-tmpfiles-clean.timer",
}

// systemdScenario boots Debian's systemd (debootstrap, packed as the
// initramfs) on a cgroup v2 kernel and lets systemd build kubelet's
// systemd-driver tree: a pod slice with MemoryMax, MemoryHigh, CPUQuota and
// TasksMax set at run time, and container scopes made by
// `systemd-run --scope --slice=<pod>.slice --unit=cri-containerd-<id>`, one
// without limits of its own and one with tighter ones. The probe runs in
// each scope.
func systemdScenario() scenario {
	m := machine{kernel: "6.1", memMB: 1024, timeout: 180 * time.Second,
		cmdline: "systemd.unified_cgroup_hierarchy=1 systemd.show_status=false"}
	slice := "kubepods-burstable-pod" + strings.ReplaceAll(uidA, "-", "_") + ".slice"
	pathA := systemd.CgroupsPath{Slice: slice, Prefix: "cri-containerd", Name: idA}
	pathB := systemd.CgroupsPath{Slice: slice, Prefix: "cri-containerd", Name: idB}
	pathNew := systemd.CgroupsPath{Slice: slice, Prefix: "cri-containerd", Name: idC}
	run := "#!/bin/sh\n(\nset -ex\n" + shellVars("SLICE", slice, "ID_A", idA, "ID_B", idB,
		"OCI_A", pathA.String(), "OCI_B", pathB.String(), "OCI_NEW", pathNew.String()) + `
systemctl start "$SLICE"
systemctl set-property --runtime "$SLICE" MemoryMax=268435456 MemoryHigh=201326592 CPUQuota=50% TasksMax=1000
systemd-run --quiet --scope --slice="$SLICE" --unit="cri-containerd-$ID_A" \
	/e2e/vmprobe -label pod-limit -forcgroup "$OCI_A" -forcgroup "$OCI_NEW"
systemd-run --quiet --scope --slice="$SLICE" --unit="cri-containerd-$ID_B" \
	-p MemoryMax=134217728 -p CPUQuota=25% -p TasksMax=64 \
	/e2e/vmprobe -label container-limit -forcgroup "$OCI_B"
systemctl start truelimit-pressure.service truelimit-pressure-off.service
/e2e/vmprobe -label systemd-pressure -read /tmp/systemd-pressure.json -read /tmp/systemd-pressure-off.json
)
status=$?
[ "$status" = 0 ] || echo "` + markerSetupFailed + ` status $status"
echo "` + markerDone + ` after $(cut -d' ' -f1 /proc/uptime) s"
systemctl poweroff --force --force
`

	// What systemd made must be what the systemd package computes.
	names := func(t *testing.T, out probe.Output, p systemd.CgroupsPath, id string) string {
		t.Helper()
		own, ok := strings.CutPrefix(strings.TrimSpace(out.ProcSelfCgroup), "0::")
		require.True(t, ok, "a v2 guest: %q", out.ProcSelfCgroup)
		sliceDir, err := systemd.ExpandSlice(slice)
		require.NoError(t, err)
		assert.Equal(t, sliceDir+"/cri-containerd-"+id+".scope", own, "ExpandSlice")
		path, err := p.Path()
		require.NoError(t, err)
		assert.Equal(t, own, path, "CgroupsPath.Path of %s", p)
		info := systemd.Parse(own)
		assert.Equal(t, systemd.Info{Driver: systemd.DriverSystemd, Kind: systemd.KindContainer, QoS: systemd.QoSBurstable,
			PodUID: uidA, ContainerID: id, Runtime: systemd.RuntimeCRIContainerd}, info, "Parse")
		return own
	}
	return scenario{
		name:    "systemd-6.1",
		machine: m,
		image: func(t *testing.T) string {
			return guestImage(t, vm.systemdRoot, run, func(img *initramfs) {
				img.symlink("init", "/sbin/init")
				require.NoError(t, img.copy("e2e/vmwatch", filepath.Join(vm.bin, "vmwatch")))
				img.file("etc/systemd/system/truelimit-pressure.service", 0o644, []byte(pressureUnit("truelimit-pressure.service",
					"/sys/fs/cgroup/system.slice/truelimit-pressure.service/memory.pressure", "/tmp/systemd-pressure.json")))
				img.file("etc/systemd/system/truelimit-pressure-off.service", 0o644, []byte(pressureUnit("truelimit-pressure-off.service",
					"/dev/null", "/tmp/systemd-pressure-off.json")))
			})
		},
		checks: []check{
			{"systemd-pressure", checkSystemdPressure},
			{"pod-limit", func(t *testing.T, out probe.Output) {
				scope := names(t, out, pathA, idA)
				pod := filepath.Dir(scope)
				// systemd enables cpu only for units that set a CPU property
				// and their ancestors: not for this scope, which therefore has
				// no cpu.weight, while the pod slice's quota still applies.
				// Nothing enables cpuset: the root's is the nearest.
				want := scoped(probe.Document{
					Mode: str("v2"),
					Memory: probe.MemoryDoc{State: "limited", LimitBytes: u64(256 * mib), Source: str(pod),
						HighBytes: u64(192 * mib), HighSource: str(pod)},
					CPU: probe.CPUDoc{State: "limited", Limit: f64(0.5), Source: str(pod), QuotaUs: u64(50000), PeriodUs: u64(100000),
						CPUSetCPUs: num(2), CPUSet: str("0-1"), CPUSetSource: str("/")},
					Pids:        probe.PidsDoc{Limit: u64(1000), Source: str(pod)},
					Host:        host(2, 2, false),
					Cgroups:     v2Cgroups(scope),
					Diagnostics: codes("controller-missing", "limit-in-ancestor"),
				}, effective)
				assert.Equal(t, want, reportOf(t, out.Detect, m), "Detect")
				require.Len(t, out.ForCgroup, 2)
				assert.Equal(t, want, reportOf(t, out.ForCgroup[0], m), "ForCgroup(%s)", pathA)
				notCreated := want
				notCreated.CPU.Weight, notCreated.CPU.WeightSource = u64(100), str(pod)
				notCreated.Cgroups = v2Cgroups(pod)
				notCreated.Diagnostics = codes("cgroup-not-created")
				assert.Equal(t, notCreated, reportOf(t, out.ForCgroup[1], m), "ForCgroup(%s), not created", pathNew)
			}},
			{"container-limit", func(t *testing.T, out probe.Output) {
				scope := names(t, out, pathB, idB)
				pod := filepath.Dir(scope)
				want := scoped(probe.Document{
					Mode: str("v2"),
					Memory: probe.MemoryDoc{State: "limited", LimitBytes: u64(128 * mib), Source: str(scope),
						HighBytes: u64(192 * mib), HighSource: str(pod)},
					CPU: probe.CPUDoc{State: "limited", Limit: f64(0.25), Source: str(scope), QuotaUs: u64(25000), PeriodUs: u64(100000),
						CPUSetCPUs: num(2), CPUSet: str("0-1"), CPUSetSource: str("/"), Weight: u64(100), WeightSource: str(scope)},
					Pids:        probe.PidsDoc{Limit: u64(64), Source: str(scope)},
					Host:        host(2, 2, false),
					Cgroups:     v2Cgroups(scope),
					Diagnostics: codes("limit-in-ancestor"), // the pod's MemoryHigh
				}, effective)
				assert.Equal(t, want, reportOf(t, out.Detect, m), "Detect")
				require.Len(t, out.ForCgroup, 1)
				assert.Equal(t, want, reportOf(t, out.ForCgroup[0], m), "ForCgroup(%s)", pathB)
			}},
		},
	}
}

// pressureUnit is a service that runs cmd/vmwatch's latency runs under a
// memory.high of 32 MiB with the two variables systemd 254+ sets for
// MemoryPressureWatch=auto (docs/PRESSURE.md in systemd; the unit's own
// memory.pressure, and "some 200000 2000000" with its NUL, base64), set
// with Environment= because Debian 12's systemd 252 predates the setting;
// watch "/dev/null" is MemoryPressureWatch=off.
func pressureUnit(name, watch, out string) string {
	return `[Unit]
Description=truelimit pressure watcher (` + name + `)

[Service]
Type=oneshot
MemoryAccounting=yes
MemoryHigh=33554432
MemoryMax=268435456
Environment=MEMORY_PRESSURE_WATCH=` + watch + `
Environment=MEMORY_PRESSURE_WRITE=c29tZSAyMDAwMDAgMjAwMDAwMAA=
ExecStart=/e2e/vmwatch -runs 2 -out ` + out + `
`
}

// checkSystemdPressure: with systemd's variables the watcher uses the
// unit's memory.pressure with systemd's trigger and reports its events as
// from systemd; with /dev/null it sets up no pressure source of its own
// (no trigger), and the counters still come through inotify.
func checkSystemdPressure(t *testing.T, out probe.Output) {
	var on, off watchResult
	require.NoError(t, json.Unmarshal([]byte(readOf(t, out, "/tmp/systemd-pressure.json").After.Text), &on))
	require.NoError(t, json.Unmarshal([]byte(readOf(t, out, "/tmp/systemd-pressure-off.json").After.Text), &off))
	require.Empty(t, on.Error)
	require.Empty(t, off.Error)
	sd := setupOf(t, on.Sources, "systemd")
	assert.True(t, sd.Active)
	assert.Equal(t, "/sys/fs/cgroup/system.slice/truelimit-pressure.service/memory.pressure", sd.File)
	assert.Equal(t, `PSI file, POLLPRI, wrote "some 200000 2000000\x00"`, sd.How)
	assert.Equal(t, []string{"inotify", "systemd"}, activeSources(on.Sources))
	for _, src := range []string{"systemd", "inotify"} {
		l := on.Latency[src]
		require.NotEmpty(t, l, src)
		assert.Zero(t, on.Missed[src], src)
		assert.Less(t, slices.Max(l), (5 * time.Second).Milliseconds(), "%s: the 2 s window + 3 s", src)
		t.Logf("systemd unit %s: %d runs, median %d ms, max %d ms", src, len(l), median(l), slices.Max(l))
	}
	assert.Contains(t, setupOf(t, off.Sources, "systemd").How, "turned off")
	assert.Equal(t, []string{"inotify"}, activeSources(off.Sources), "/dev/null: no pressure source")
	assert.NotEmpty(t, off.Latency["inotify"], "memory.events high still arrives")
}

// guestImage is a cached Debian root (root, a newc cpio) followed by a
// second archive with the probe, run.sh, the unit that runs it, the masks
// and what extra adds, which must include /init.
func guestImage(t *testing.T, root, run string, extra func(*initramfs)) string {
	t.Helper()
	img := newInitramfs()
	extra(img)
	require.NoError(t, img.copy("e2e/vmprobe", filepath.Join(vm.bin, "vmprobe")))
	img.script("e2e/run.sh", run)
	img.file("etc/systemd/system/truelimit-probe.service", 0o644, []byte(systemdUnit))
	img.symlink("etc/systemd/system/multi-user.target.wants/truelimit-probe.service", "../truelimit-probe.service")
	for _, unit := range systemdMasked {
		img.symlink("etc/systemd/system/"+unit, "/dev/null")
	}
	file := filepath.Join(t.TempDir(), "initramfs.cpio")
	dst, err := os.Create(file)
	require.NoError(t, err)
	defer dst.Close()
	src, err := os.Open(root)
	require.NoError(t, err)
	defer src.Close()
	_, err = io.Copy(dst, src)
	require.NoError(t, err)
	_, err = dst.Write(img.bytes())
	require.NoError(t, err)
	require.NoError(t, dst.Close())
	return file
}
