//go:build e2e

package e2e

import (
	"archive/tar"
	"bytes"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/e2e/probe"
)

// What a container cannot see (issue 11): real container runtimes in the
// systemd guest, each container limited to 256 MiB and 0.5 CPU somewhere on
// its path. The probe runs inside the container (Detect) and on the guest
// host (ForPID of the container's process, as a node agent would ask).
// Whenever the runtime puts the limit above the root of the container's
// cgroup namespace, the inside answer is "unlimited" with ancestors-hidden
// while the outside answer names the level that binds.

// runtimeInit is /init of the runtime guest. Container runtimes pivot_root
// into a container's root, which cannot work while / is the initramfs (the
// rootfs cannot be unmounted): copy the root into a tmpfs and switch_root
// into it (which empties the initramfs) before systemd starts.
const runtimeInit = `#!/bin/sh
mount -t proc proc /proc
mkdir /newroot
mount -t tmpfs -o mode=755 tmpfs /newroot
for d in /*; do
	case $d in /newroot | /proc | /init) ;; *) cp -a "$d" /newroot/ ;; esac
done
mkdir /newroot/proc
umount /proc
exec switch_root /newroot /sbin/init
`

// runtimeLib holds the shell helpers of the runtime scenarios' run.sh.
const runtimeLib = `export PATH=/e2e:$PATH
cg=/sys/fs/cgroup

# wait_for FILE waits up to 120 s for FILE to exist.
wait_for() {
	i=0
	until [ -e "$1" ]; do
		i=$((i + 1))
		[ "$i" -le 1200 ] || { echo "no $1 after 120 s" >&2; return 1; }
		sleep 0.1
	done
}

# limited_parents makes the parents of the --cgroup-parent scenarios, each
# limited to 256 MiB and 0.5 CPU: the slice limited.slice for the systemd
# cgroup manager and the plain cgroup /limited for cgroupfs (the slice's
# CPUQuota also keeps the cpu controller enabled at the root).
limited_parents() {
	systemctl start limited.slice
	systemctl set-property --runtime limited.slice MemoryMax=268435456 CPUQuota=50%
	mkdir "$cg/limited"
	echo 268435456 > "$cg/limited/memory.max"
	echo "50000 100000" > "$cg/limited/cpu.max"
}

# probe_ctr LABEL ENGINE RUN-ARGS... starts a sleeping container named LABEL
# from the probe image with ENGINE (a podman or docker command line) and
# RUN-ARGS, runs the probe inside it (ENGINE exec, which joins the
# container's cgroup and namespaces) as LABEL-inside, then on the guest host
# with ForPID of the container's process as LABEL-outside.
probe_ctr() {
	label=$1 engine=$2
	shift 2
	$engine run -d --name "$label" "$@" localhost/probe /bin/busybox sleep 3600 > /dev/null
	$engine exec "$label" /vmprobe -label "$label-inside"
	pid=$($engine inspect -f '{{.State.Pid}}' "$label")
	vmprobe -label "$label-outside" -forpid "$pid"
}

# probe_dind LABEL ENGINE RUN-ARGS... runs runc inside a privileged
# container (the Docker-in-Docker shape): /dind.sh of the dind image moves
# itself to the container's /init, starts the inner container in /inner with
# a cgroup namespace of its own, runs the probe in it and leaves the result
# in the shared directory. The probe then runs on the guest host with ForPID
# of the inner container's process.
probe_dind() {
	label=$1 engine=$2
	shift 2
	mkdir -p "/run/$label"
	$engine run -d --name "$label" --privileged -v "/run/$label:/shared" "$@" localhost/dind /bin/sh /dind.sh "$label" > /dev/null
	wait_for "/run/$label/inside"
	cat "/run/$label/inside"
	outer=$($engine inspect -f '{{.State.Pid}}' "$label")
	own=$(sed -n 's/^0:://p' "/proc/$outer/cgroup")
	pid=$(head -n 1 "$cg${own%/init}/inner/cgroup.procs")
	vmprobe -label "$label-outside" -forpid "$pid"
}

# probe_nspawn LABEL NSPAWN-ARGS... boots the probe image's tree with
# systemd-nspawn on the unified hierarchy as machine LABEL; the container's
# first process runs the probe (LABEL-inside, kept in a file so that two
# writers never share the console) and sleeps. Then the probe runs on the
# guest host with ForPID of the machine's leader.
probe_nspawn() {
	label=$1
	shift
	dir=/var/lib/machines/$label
	mkdir -p "$dir"
	tar -C "$dir" -xf /e2e/probe.tar
	SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 systemd-nspawn --quiet -D "$dir" --machine "$label" "$@" /bin/sh -c \
		"/vmprobe -label $label-inside > /inside.tmp && /bin/busybox mv /inside.tmp /inside && exec /bin/busybox sleep 3600" \
		< /dev/null > /dev/null &
	wait_for "$dir/inside"
	cat "$dir/inside"
	pid=$(machinectl show --property=Leader --value "$label")
	vmprobe -label "$label-outside" -forpid "$pid"
}
`

// dindScript is /dind.sh of the dind image, run by the outer container
// with the label as $1. Like a Docker-in-Docker entrypoint it first moves
// every process out of its namespace's root cgroup, which cannot both hold
// processes and give controllers to children.
const dindScript = `set -e
/bin/busybox --install -s /bin
cg=/sys/fs/cgroup
mkdir $cg/init
for p in $(cat $cg/cgroup.procs); do echo $p > $cg/init/cgroup.procs 2>/dev/null || true; done
echo "+memory +cpu +pids" > $cg/cgroup.subtree_control
runc --root /run/runc run -d -b /bundle inner < /dev/null > /dev/null
runc --root /run/runc exec inner /vmprobe -label "$1-inside" > /shared/inside.tmp
mv /shared/inside.tmp /shared/inside
exec sleep 3600
`

// runtimeMachine is the runtime guest: a boot takes two to four minutes
// (the root is a 350 MB cpio, and podman, conmon and dockerd are large Go
// programs under emulation), so it gets one retry.
func runtimeMachine() machine {
	return machine{kernel: "6.1", memMB: 4096, timeout: 6 * time.Minute, attempts: 2,
		cmdline: "systemd.unified_cgroup_hierarchy=1 systemd.show_status=false"}
}

// view is one report on a container's process in the terms the runtime
// scenarios vary: which cgroup the process is in as the reader sees it, and
// where the reader finds the scenario's 256 MiB / 0.5 CPU, swap and pids
// limits. Every cgroup of the guest has cpuset and cpu enabled, so cpuset
// (both CPUs) and weight (100) come from the process's own cgroup.
type view struct {
	cgroup string
	limits string // memory.max 256 MiB and cpu.max 0.5 CPU; "" when the reader sees neither
	swap   string // memory.swap.max 256 MiB; "" when none is visible
	pids   uint64 // the binding pids.max; 0 when none is visible
	pidsAt string
	diags  []probe.DiagnosticDoc
}

// document is the report a view stands for.
func (v view) document() probe.Document {
	d := probe.Document{
		Mode:   str("v2"),
		Memory: probe.MemoryDoc{State: "unlimited"},
		CPU: probe.CPUDoc{State: "unlimited", CPUSetCPUs: num(2), CPUSet: str("0-1"), CPUSetSource: str(v.cgroup),
			Weight: u64(100), WeightSource: str(v.cgroup)},
		Host:        host(2, 2, false),
		Cgroups:     v2Cgroups(v.cgroup),
		Diagnostics: v.diags,
	}
	if v.limits != "" {
		d.Memory.State, d.Memory.LimitBytes, d.Memory.Source = "limited", u64(256*mib), str(v.limits)
		d.CPU.State, d.CPU.Limit, d.CPU.Source = "limited", f64(0.5), str(v.limits)
		d.CPU.QuotaUs, d.CPU.PeriodUs = u64(50000), u64(100000)
	}
	if v.swap != "" {
		d.Memory.SwapBytes, d.Memory.SwapSource = u64(256*mib), str(v.swap)
	}
	if v.pids != 0 {
		d.Pids = probe.PidsDoc{Limit: u64(v.pids), Source: str(v.pidsAt)}
	}
	return d
}

// runtimeCase is one container of a runtime scenario, probed inside
// ("<label>-inside") and from the guest host ("<label>-outside").
type runtimeCase struct {
	label string
	// cgroup matches the container process's cgroup as the guest host
	// sees it (hex IDs vary from boot to boot).
	cgroup string
	// private: the container has a cgroup namespace rooted at its own
	// cgroup, so it sees itself at "/" and its cgroup2 mount, seen from
	// the guest host, shows that cgroup as its root. Otherwise it shares
	// the host's namespace and sees what the host sees.
	private bool
	// inside and outside are the reports expected from Detect in the
	// container and from ForPID on the guest host, given the process's
	// cgroup as each of them sees it.
	inside, outside func(own string) view
}

// Patterns of the IDs in runtime cgroup names.
const (
	hexID   = `[0-9a-f]{64}`
	podmanC = `/machine\.slice/libpod-` + hexID + `\.scope`
)

// up returns the ancestor n levels above cgroup p.
func up(p string, n int) string {
	for ; n > 0; n-- {
		p = path.Dir(p)
	}
	return p
}

// Views the cases share. A container limited by its runtime sees the limit
// at its namespace's root; ancestors-hidden fires there because that root
// has memory.max and cpu.max (the host's root has neither) and the process
// is in a namespace of its own.
var (
	ownLimitsInside = func(string) view {
		return view{cgroup: "/", limits: "/", swap: "/", pids: 2048, pidsAt: "/", diags: codes("ancestors-hidden")}
	}
	ownLimitsOutside = func(leaf string) view {
		return view{cgroup: leaf, limits: leaf, swap: leaf, pids: 2048, pidsAt: leaf, diags: codes()}
	}
	// A limit above the namespace's root is not there for the process.
	hiddenInside = func(string) view {
		return view{cgroup: "/", pids: 2048, pidsAt: "/", diags: codes("ancestors-hidden")}
	}
)

// parentCases are --cgroup-parent with a private and with the host's
// cgroup namespace: parent is the limited parent's cgroup, name the
// container's cgroup below it.
func parentCases(prefix, parent, name string) []runtimeCase {
	limitedByParent := func(leaf string) view {
		return view{cgroup: leaf, limits: parent, pids: 2048, pidsAt: leaf, diags: codes("limit-in-ancestor")}
	}
	return []runtimeCase{
		{label: prefix + "-parent-private", cgroup: regexp.QuoteMeta(parent) + name, private: true,
			inside: hiddenInside, outside: limitedByParent},
		{label: prefix + "-parent-host", cgroup: regexp.QuoteMeta(parent) + name,
			inside: limitedByParent, outside: limitedByParent},
	}
}

// podCase is a container in a podman pod created with --memory 256m
// --cpus 0.5: the limits (and the swap limit the memory limit implies) land
// on the pod's slice, above the container's namespace root.
func podCase(label, name string) runtimeCase {
	return runtimeCase{label: label, cgroup: `/machine\.slice/machine-libpod_pod_` + hexID + `\.slice/` + name, private: true,
		inside: hiddenInside,
		outside: func(leaf string) view {
			pod := up(leaf, strings.Count(name, "/")+1)
			return view{cgroup: leaf, limits: pod, swap: pod, pids: 2048, pidsAt: leaf, diags: codes("limit-in-ancestor")}
		}}
}

// dindCase is runc inside a privileged container run with --memory 256m
// --cpus 0.5: the inner container's namespace root is <outer>/inner, below
// the outer container's limits. The inner runc sets no pids limit.
func dindCase(label, outer string) runtimeCase {
	return runtimeCase{label: label, cgroup: outer + `/inner`, private: true,
		inside: func(string) view { return view{cgroup: "/", diags: codes("ancestors-hidden")} },
		outside: func(leaf string) view {
			return view{cgroup: leaf, limits: up(leaf, 1), swap: up(leaf, 1), pids: 2048, pidsAt: up(leaf, 1),
				diags: codes("limit-in-ancestor")}
		}}
}

// podmanCrunScenario is podman with crun, Debian's default: crun puts the
// container one level below the scope systemd made (libpod-<id>.scope/
// container) and writes the limits there.
func podmanCrunScenario() scenario {
	sd := "podman --runtime crun --cgroup-manager systemd"
	fs := "podman --runtime crun --cgroup-manager cgroupfs"
	run := `podman import -q /e2e/probe.tar localhost/probe > /dev/null
podman import -q /e2e/dind.tar localhost/dind > /dev/null
limited_parents
probe_ctr crun-systemd-ctr "` + sd + `" --network=none --memory 256m --cpus 0.5
probe_ctr crun-cgroupfs-ctr "` + fs + `" --network=none --memory 256m --cpus 0.5
probe_ctr crun-systemd-parent-private "` + sd + `" --network=none --cgroupns=private --cgroup-parent=limited.slice
probe_ctr crun-systemd-parent-host "` + sd + `" --network=none --cgroupns=host --cgroup-parent=limited.slice
` + sd + ` pod create --name crun-pod --network=none --memory 256m --cpus 0.5 > /dev/null
probe_ctr crun-systemd-pod "` + sd + `" --pod crun-pod
probe_dind crun-systemd-dind "` + sd + `" --network=none --memory 256m --cpus 0.5
`
	cases := []runtimeCase{
		{label: "crun-systemd-ctr", cgroup: podmanC + `/container`, private: true, inside: ownLimitsInside, outside: ownLimitsOutside},
		{label: "crun-cgroupfs-ctr", cgroup: `/libpod_parent/libpod-` + hexID, private: true, inside: ownLimitsInside, outside: ownLimitsOutside},
	}
	cases = append(cases, parentCases("crun-systemd", "/limited.slice", `/libpod-`+hexID+`\.scope/container`)...)
	cases = append(cases, podCase("crun-systemd-pod", `libpod-`+hexID+`\.scope/container`),
		dindCase("crun-systemd-dind", podmanC+`/container`))
	return runtimeScenario("podman-crun-6.1", run, true, cases)
}

// podmanRuncScenario is podman with runc, which puts the container in the
// scope itself (systemd) or in libpod_parent/libpod-<id> (cgroupfs). A pod
// with limits runs with the systemd manager only: under cgroupfs neither
// runtime could start the pod's infra container (/dev/null denied).
func podmanRuncScenario() scenario {
	sd := "podman --runtime runc --cgroup-manager systemd"
	fs := "podman --runtime runc --cgroup-manager cgroupfs"
	run := `podman import -q /e2e/probe.tar localhost/probe > /dev/null
podman import -q /e2e/dind.tar localhost/dind > /dev/null
limited_parents
probe_ctr runc-cgroupfs-ctr "` + fs + `" --network=none --memory 256m --cpus 0.5
probe_ctr runc-systemd-ctr "` + sd + `" --network=none --memory 256m --cpus 0.5
probe_ctr runc-cgroupfs-parent-private "` + fs + `" --network=none --cgroupns=private --cgroup-parent=/limited
probe_ctr runc-cgroupfs-parent-host "` + fs + `" --network=none --cgroupns=host --cgroup-parent=/limited
` + sd + ` pod create --name runc-pod --network=none --memory 256m --cpus 0.5 > /dev/null
probe_ctr runc-systemd-pod "` + sd + `" --pod runc-pod
probe_dind runc-cgroupfs-dind "` + fs + `" --network=none --memory 256m --cpus 0.5
`
	cases := []runtimeCase{
		{label: "runc-cgroupfs-ctr", cgroup: `/libpod_parent/libpod-` + hexID, private: true, inside: ownLimitsInside, outside: ownLimitsOutside},
		{label: "runc-systemd-ctr", cgroup: podmanC, private: true, inside: ownLimitsInside, outside: ownLimitsOutside},
	}
	cases = append(cases, parentCases("runc-cgroupfs", "/limited", `/libpod-`+hexID)...)
	cases = append(cases, podCase("runc-systemd-pod", `libpod-`+hexID+`\.scope`),
		dindCase("runc-cgroupfs-dind", `/libpod_parent/libpod-`+hexID))
	return runtimeScenario("podman-runc-6.1", run, true, cases)
}

// dockerNspawnScenario is docker.io (systemd cgroup driver, the default on
// v2: containers in docker-<id>.scope) and systemd-nspawn, which runs the
// container in the payload cgroup below its machine scope: even a limit set
// on the container's own unit (--property) is above its namespace root.
// nspawn gives every machine scope TasksMax=16384.
func dockerNspawnScenario() scenario {
	d := "docker"
	opts := " --network none --security-opt apparmor=unconfined --pids-limit 2048"
	run := `limited_parents
systemctl start docker
docker import /e2e/probe.tar localhost/probe > /dev/null
probe_ctr docker-ctr ` + d + opts + ` --memory 256m --cpus 0.5
probe_ctr docker-parent-private ` + d + opts + ` --cgroupns private --cgroup-parent limited.slice
probe_ctr docker-parent-host ` + d + opts + ` --cgroupns host --cgroup-parent limited.slice
probe_nspawn nspawn-property --property=MemoryMax=268435456 --property=CPUQuota=50%
probe_nspawn nspawn-slice --slice=limited.slice
`
	nspawnHidden := func(string) view { return view{cgroup: "/", diags: codes("ancestors-hidden")} }
	cases := []runtimeCase{
		{label: "docker-ctr", cgroup: `/system\.slice/docker-` + hexID + `\.scope`, private: true,
			inside: ownLimitsInside, outside: ownLimitsOutside},
	}
	cases = append(cases, parentCases("docker", "/limited.slice", `/docker-`+hexID+`\.scope`)...)
	cases = append(cases,
		runtimeCase{label: "nspawn-property", cgroup: `/machine\.slice/machine-nspawn\\x2dproperty\.scope/payload`, private: true,
			inside: nspawnHidden,
			outside: func(leaf string) view {
				scope := up(leaf, 1)
				return view{cgroup: leaf, limits: scope, pids: 16384, pidsAt: scope, diags: codes("limit-in-ancestor")}
			}},
		runtimeCase{label: "nspawn-slice", cgroup: `/limited\.slice/machine-nspawn\\x2dslice\.scope/payload`, private: true,
			inside: nspawnHidden,
			outside: func(leaf string) view {
				return view{cgroup: leaf, limits: "/limited.slice", pids: 16384, pidsAt: up(leaf, 1), diags: codes("limit-in-ancestor")}
			}})
	return runtimeScenario("docker-nspawn-6.1", run, false, cases)
}

// runtimeScenario boots the runtime guest with run (after runtimeLib) and
// checks every case; dind adds the dind image.
func runtimeScenario(name, run string, dind bool, cases []runtimeCase) scenario {
	m := runtimeMachine()
	script := "#!/bin/sh\n(\nset -ex\n" + runtimeLib + run + `)
status=$?
[ "$status" = 0 ] || echo "` + markerSetupFailed + ` status $status"
echo "` + markerDone + ` after $(cut -d' ' -f1 /proc/uptime) s"
systemctl poweroff --force --force
`
	var checks []check
	for _, c := range cases {
		checks = append(checks, c.checks(m)...)
	}
	return scenario{
		name:    name,
		machine: m,
		image: func(t *testing.T) string {
			return guestImage(t, vm.runtimeRoot, script, func(img *initramfs) {
				img.script("init", runtimeInit)
				img.file("e2e/probe.tar", 0o644, containerImage(t, false))
				if dind {
					img.file("e2e/dind.tar", 0o644, containerImage(t, true))
				}
			})
		},
		checks: checks,
	}
}

// checks are the inside and outside checks of one case.
func (c runtimeCase) checks(m machine) []check {
	re := regexp.MustCompile(`^0::(` + c.cgroup + `)\n$`)
	return []check{
		{c.label + "-inside", func(t *testing.T, out probe.Output) {
			own := "/"
			if c.private {
				assert.Equal(t, "0::/\n", out.ProcSelfCgroup)
				assert.NotEqual(t, initialCgroupNamespace, out.CgroupNamespace)
			} else {
				match := re.FindStringSubmatch(out.ProcSelfCgroup)
				require.NotNil(t, match, "the container sees its cgroup %q as the host does: %s", out.ProcSelfCgroup, c.cgroup)
				own = match[1]
				assert.Equal(t, initialCgroupNamespace, out.CgroupNamespace)
			}
			assert.Equal(t, []mountRoot{{"/sys/fs/cgroup", "/"}}, mountRoots(out), "one cgroup2 mount, of the namespace's root")
			assert.Equal(t, c.inside(own).document(), reportOf(t, out.Detect, m), "Detect in the container")
		}},
		{c.label + "-outside", func(t *testing.T, out probe.Output) {
			assert.Equal(t, initialCgroupNamespace, out.CgroupNamespace, "the probe runs on the guest host")
			require.Len(t, out.ForPID, 1)
			a := out.ForPID[0]
			require.NotNil(t, a.Target, "ForPID(%s): %s", a.Query, a.Error)
			match := re.FindStringSubmatch(a.Target.ProcCgroup)
			require.NotNil(t, match, "the container's cgroup %q from the guest host: %s", a.Target.ProcCgroup, c.cgroup)
			leaf := match[1]
			root := "/"
			if c.private {
				root = leaf
			}
			assert.Equal(t, []mountRoot{{"/sys/fs/cgroup", root}}, rootsOf(a.Target.CgroupMounts),
				"the container's cgroup2 mount seen from the guest host: its root is the namespace's root")
			assert.Equal(t, c.outside(leaf).document(), reportOf(t, a, m), "ForPID(%s) on the guest host", a.Query)
		}},
	}
}

// containerImage is the tar that the runtime scenarios import as an image
// (no registry is reachable): a static busybox and the probe, /usr so that
// systemd-nspawn takes the tree for an OS; with dind also runc with its
// shared libraries, /dind.sh and the inner container's bundle (the same
// busybox and probe, a cgroup namespace, cgroupsPath /inner).
func containerImage(t *testing.T, dind bool) []byte {
	t.Helper()
	img := newTarball()
	base := func(root string) {
		for _, d := range []string{"bin", "dev", "proc", "sys", "tmp", "run", "usr"} {
			img.dir(root + d)
		}
		require.NoError(t, img.copy(root+"bin/busybox", vm.busybox))
		img.symlink(root+"bin/sh", "busybox")
		require.NoError(t, img.copy(root+"vmprobe", filepath.Join(vm.bin, "vmprobe")))
	}
	base("")
	if dind {
		require.NoError(t, img.copy("bin/runc", vm.runc))
		out, err := exec.Command("ldd", vm.runc).Output()
		require.NoError(t, err, "ldd %s", vm.runc)
		libs := lddPath.FindAllStringSubmatch(string(out), -1)
		require.NotEmpty(t, libs, "ldd %s:\n%s", vm.runc, out)
		for _, lib := range libs {
			require.NoError(t, img.copy(strings.TrimPrefix(lib[1], "/"), lib[1]))
		}
		img.file("dind.sh", 0o755, []byte(dindScript))
		img.dir("shared")
		img.file("bundle/config.json", 0o644, runcConfig(t, "rootfs", "/inner", true, 0))
		base("bundle/rootfs/")
	}
	return img.bytes(t)
}

// tarball builds a tar archive in memory, parents before children.
type tarball struct {
	buf  bytes.Buffer
	tw   *tar.Writer
	dirs map[string]bool
	err  error
}

func newTarball() *tarball {
	b := &tarball{dirs: map[string]bool{".": true, "": true}}
	b.tw = tar.NewWriter(&b.buf)
	return b
}

func (b *tarball) header(h *tar.Header) {
	if err := b.tw.WriteHeader(h); err != nil && b.err == nil {
		b.err = err
	}
}

// dir adds a directory and any missing parents.
func (b *tarball) dir(name string) {
	if b.dirs[name] {
		return
	}
	b.dir(path.Dir(name))
	b.dirs[name] = true
	b.header(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: 0o755})
}

// file adds a regular file with permissions perm, creating its parents.
func (b *tarball) file(name string, perm int64, data []byte) {
	b.dir(path.Dir(name))
	b.header(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: perm, Size: int64(len(data))})
	if _, err := b.tw.Write(data); err != nil && b.err == nil {
		b.err = err
	}
}

// copy adds the host file src (followed if a link) as name, keeping its
// permission bits.
func (b *tarball) copy(name, src string) error {
	info, err := os.Stat(src)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	b.file(name, int64(info.Mode().Perm()), data)
	return nil
}

// symlink adds name pointing at target.
func (b *tarball) symlink(name, target string) {
	b.dir(path.Dir(name))
	b.header(&tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777})
}

// bytes ends the archive and returns it.
func (b *tarball) bytes(t *testing.T) []byte {
	t.Helper()
	require.NoError(t, b.err)
	require.NoError(t, b.tw.Close())
	return b.buf.Bytes()
}
