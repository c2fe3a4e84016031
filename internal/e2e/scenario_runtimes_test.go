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
	"slices"
	"strconv"
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
// while the outside answer names the level that binds and says, with
// limit-hidden-from-process, that the process cannot see it.

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

// runtimeMachine is the runtime guest with cgroup v2, or v1 (systemd's
// hybrid layout: v1 controllers, its own controller-less cgroup2). A boot
// takes one to two minutes (the root is a 350 MB cpio; podman and dockerd
// are large Go programs under emulation), so it gets one retry only.
func runtimeMachine(v1 bool) machine {
	unified := "1"
	if v1 {
		unified = "0"
	}
	return machine{kernel: "6.1", memMB: 4096, timeout: 6 * time.Minute, attempts: 2,
		cmdline: "systemd.unified_cgroup_hierarchy=" + unified + " systemd.show_status=false"}
}

// view is one report on a container's process in the terms the runtime
// scenarios vary: which cgroup the process is in as the reader sees it, and
// where the reader finds the scenario's 256 MiB and 0.5 CPU, the swap and
// pids limits. Every cgroup on the way has cpuset and cpu, so cpuset (both
// CPUs) and weight (100; v1: 1024 shares) come from the process's own.
type view struct {
	// mode is the report's mode: "v2", or on the v1 guest "hybrid" (the
	// host also mounts systemd's controller-less cgroup2) and "v1" (a
	// container mounts only the v1 hierarchies).
	mode   string
	cgroup string
	// mount is the cgroup each hierarchy's mount shows as its root: "/"
	// unless the runtime bind-mounted the container's own cgroup.
	mount  string
	memory string // the source of the 256 MiB memory limit; "" when the reader sees none
	cpu    string // the source of the 0.5 CPU limit; "" when the reader sees none
	swap   string // v2 memory.swap.max 256 MiB, v1 memsw 512 MiB; "" when none is visible
	pids   uint64 // the binding pids.max; 0 when none is visible
	pidsAt string
	diags  []probe.DiagnosticDoc
}

// v1Hierarchies are where the v1 guest mounts the hierarchies a report
// uses, by controller.
var v1Hierarchies = map[string]string{
	"memory": "/sys/fs/cgroup/memory", "cpu": "/sys/fs/cgroup/cpu,cpuacct",
	"cpuset": "/sys/fs/cgroup/cpuset", "pids": "/sys/fs/cgroup/pids",
}

// document is the report a view stands for, its values of the scope given
// (scoped: v1 memory is effective in either).
func (v view) document(scope string) probe.Document {
	v1 := v.mode != "v2"
	mount := v.mount
	if mount == "" {
		mount = "/"
	}
	place := func(controller string) *probe.PlacementDoc {
		if !v1 {
			return placement(2, "/sys/fs/cgroup", v.cgroup)
		}
		dir := v1Hierarchies[controller]
		if v.cgroup != mount {
			dir += strings.TrimPrefix(v.cgroup, strings.TrimSuffix(mount, "/"))
		}
		return &probe.PlacementDoc{Version: 1, Path: v.cgroup, Dir: dir}
	}
	d := probe.Document{
		Mode:   str(v.mode),
		Memory: probe.MemoryDoc{State: "unlimited"},
		CPU: probe.CPUDoc{State: "unlimited", CPUSetCPUs: num(2), CPUSet: str("0-1"), CPUSetSource: str(v.cgroup),
			Weight: u64(100), WeightSource: str(v.cgroup)},
		Host:        host(2, 2, v1),
		Cgroups:     probe.CgroupsDoc{Memory: place("memory"), CPU: place("cpu"), CPUSet: place("cpuset"), Pids: place("pids")},
		Diagnostics: v.diags,
	}
	if v1 {
		d.CPU.Weight, d.CPU.Shares = nil, u64(1024)
	}
	if v.memory != "" {
		d.Memory.State, d.Memory.LimitBytes, d.Memory.Source = "limited", u64(256*mib), str(v.memory)
	}
	if v.cpu != "" {
		d.CPU.State, d.CPU.Limit, d.CPU.Source = "limited", f64(0.5), str(v.cpu)
		d.CPU.QuotaUs, d.CPU.PeriodUs = u64(50000), u64(100000)
	}
	switch {
	case v.swap != "" && v1:
		d.Memory.MemswBytes, d.Memory.MemswSource = u64(512*mib), str(v.swap)
	case v.swap != "":
		d.Memory.SwapBytes, d.Memory.SwapSource = u64(256*mib), str(v.swap)
	}
	if v.pids != 0 {
		d.Pids = probe.PidsDoc{Limit: u64(v.pids), Source: str(v.pidsAt)}
	}
	return scoped(d, scope)
}

// hiddenFrom lists the limits of v set above top, the root of the
// process's own cgroup mounts: those ForPID must report hidden from the
// process. A v1 memory limit never is (the process reads memory.stat's
// hierarchical_memory_limit).
func (v view) hiddenFrom(top string) []hiddenValue {
	above := func(source string) bool {
		return source != "" && source != top && !strings.HasPrefix(source, strings.TrimSuffix(top, "/")+"/")
	}
	var hidden []hiddenValue
	if v.mode == "v2" && above(v.memory) {
		hidden = append(hidden, hiddenValue{strconv.Itoa(256 * mib), v.memory})
	}
	if above(v.cpu) {
		hidden = append(hidden, hiddenValue{"0.5", v.cpu})
	}
	if v.pids != 0 && above(v.pidsAt) {
		hidden = append(hidden, hiddenValue{strconv.FormatUint(v.pids, 10), v.pidsAt})
	}
	return hidden
}

// runtimeCase is one container of a runtime scenario, probed inside
// ("<label>-inside") and from the guest host ("<label>-outside").
type runtimeCase struct {
	label string
	// cgroup matches the container process's cgroup as the guest host
	// sees it (hex IDs vary from boot to boot).
	cgroup string
	// private: the container has a cgroup namespace rooted at its own
	// cgroup, so it sees itself at "/" and its cgroup mounts, seen from
	// the guest host, show that cgroup as their root. Otherwise it shares
	// the host's namespace and sees the host's paths.
	private bool
	// v1: the v1 guest, where runc and crun bind-mount the container's own
	// cgroup of each hierarchy even in the host's cgroup namespace, so its
	// mounts show that cgroup as their root from inside and outside alike.
	v1 bool
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
//
// Where the binding limit is above what the process can see, the outside
// view has limit-hidden-from-process (marked "hidden from the process");
// checks derives from the view which limits its sentence must name.
var (
	ownLimitsInside = func(string) view {
		return view{mode: "v2", cgroup: "/", memory: "/", cpu: "/", swap: "/", pids: 2048, pidsAt: "/",
			diags: codes("ancestors-hidden")}
	}
	ownLimitsOutside = func(leaf string) view {
		return view{mode: "v2", cgroup: leaf, memory: leaf, cpu: leaf, swap: leaf, pids: 2048, pidsAt: leaf,
			diags: codes()}
	}
	// A limit above the namespace's root is not there for the process.
	hiddenInside = func(string) view {
		return view{mode: "v2", cgroup: "/", pids: 2048, pidsAt: "/", diags: codes("ancestors-hidden")}
	}
)

// parentCases are --cgroup-parent with a private and with the host's
// cgroup namespace: parent is the limited parent's cgroup, name the
// container's cgroup below it.
func parentCases(prefix, parent, name string) []runtimeCase {
	limitedByParent := func(diags []probe.DiagnosticDoc) func(string) view {
		return func(leaf string) view {
			return view{mode: "v2", cgroup: leaf, memory: parent, cpu: parent, pids: 2048, pidsAt: leaf, diags: diags}
		}
	}
	return []runtimeCase{
		{label: prefix + "-parent-private", cgroup: regexp.QuoteMeta(parent) + name, private: true,
			inside:  hiddenInside,
			outside: limitedByParent(codes(codeHidden, "limit-in-ancestor"))}, // hidden from the process
		{label: prefix + "-parent-host", cgroup: regexp.QuoteMeta(parent) + name,
			inside:  limitedByParent(codes("limit-in-ancestor")),
			outside: limitedByParent(codes("limit-in-ancestor"))},
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
			return view{mode: "v2", cgroup: leaf, memory: pod, cpu: pod, swap: pod, pids: 2048, pidsAt: leaf,
				diags: codes(codeHidden, "limit-in-ancestor")} // hidden from the process
		}}
}

// dindCase is runc inside a privileged container run with --memory 256m
// --cpus 0.5: the inner container's namespace root is <outer>/inner, below
// the outer container's limits. The inner runc sets no pids limit.
func dindCase(label, outer string) runtimeCase {
	return runtimeCase{label: label, cgroup: outer + `/inner`, private: true,
		inside: func(string) view { return view{mode: "v2", cgroup: "/", diags: codes("ancestors-hidden")} },
		outside: func(leaf string) view {
			outer := up(leaf, 1)
			return view{mode: "v2", cgroup: leaf, memory: outer, cpu: outer, swap: outer, pids: 2048, pidsAt: outer,
				diags: codes(codeHidden, "limit-in-ancestor")} // hidden from the process
		}}
}

// podmanCrunScenario is podman with crun, Debian's default: crun puts the
// container one level below the scope systemd made (libpod-<id>.scope/
// container) and writes the limits there. Last, the exporter's DaemonSet
// shape (hostRootChecks).
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
probe_hostroot crun-hostroot "` + sd + `"
`
	cases := []runtimeCase{
		{label: "crun-systemd-ctr", cgroup: podmanC + `/container`, private: true, inside: ownLimitsInside, outside: ownLimitsOutside},
		{label: "crun-cgroupfs-ctr", cgroup: `/libpod_parent/libpod-` + hexID, private: true, inside: ownLimitsInside, outside: ownLimitsOutside},
	}
	cases = append(cases, parentCases("crun-systemd", "/limited.slice", `/libpod-`+hexID+`\.scope/container`)...)
	cases = append(cases, podCase("crun-systemd-pod", `libpod-`+hexID+`\.scope/container`),
		dindCase("crun-systemd-dind", podmanC+`/container`))
	s := runtimeScenario("podman-crun-6.1", runtimeMachine(false), run, true, cases)
	s.checks = append(s.checks, hostRootChecks("crun-hostroot", false)...)
	return s
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
	return runtimeScenario("podman-runc-6.1", runtimeMachine(false), run, true, cases)
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
	nspawnHidden := func(string) view { return view{mode: "v2", cgroup: "/", diags: codes("ancestors-hidden")} }
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
				return view{mode: "v2", cgroup: leaf, memory: scope, cpu: scope, pids: 16384, pidsAt: scope,
					diags: codes(codeHidden, "limit-in-ancestor")} // hidden from the process
			}},
		runtimeCase{label: "nspawn-slice", cgroup: `/limited\.slice/machine-nspawn\\x2dslice\.scope/payload`, private: true,
			inside: nspawnHidden,
			outside: func(leaf string) view {
				return view{mode: "v2", cgroup: leaf, memory: "/limited.slice", cpu: "/limited.slice", pids: 16384, pidsAt: up(leaf, 1),
					diags: codes(codeHidden, "limit-in-ancestor")} // hidden from the process
			}})
	return runtimeScenario("docker-nspawn-6.1", runtimeMachine(false), run, false, cases)
}

// runtimesV1Scenario is podman (crun, systemd manager) and docker.io
// (runc, cgroupfs driver: its default on v1) on cgroup v1, where a
// container that the runtime limits sees its limits and one below a
// limited parent sees the memory limit only through memory.stat's
// hierarchical_memory_limit and never the CPU quota, with a cgroup
// namespace of its own or (the default on v1) the host's: the runtimes
// bind-mount the container's own cgroup of each hierarchy. Last, the
// exporter's DaemonSet shape on this hybrid host (hostRootChecks).
func runtimesV1Scenario() scenario {
	sd := "podman --runtime crun --cgroup-manager systemd"
	opts := " --network none --security-opt apparmor=unconfined --pids-limit 2048"
	run := `podman import -q /e2e/probe.tar localhost/probe > /dev/null
systemctl start limited.slice
systemctl set-property --runtime limited.slice MemoryMax=268435456 CPUQuota=50%
mkdir "$cg/memory/limited" "$cg/cpu,cpuacct/limited"
echo 268435456 > "$cg/memory/limited/memory.limit_in_bytes"
echo 50000 > "$cg/cpu,cpuacct/limited/cpu.cfs_quota_us"
probe_ctr v1-crun-systemd-ctr "` + sd + `" --network=none --cgroupns=private --memory 256m --cpus 0.5
probe_ctr v1-crun-systemd-parent-private "` + sd + `" --network=none --cgroupns=private --cgroup-parent=limited.slice
probe_ctr v1-crun-systemd-parent-host "` + sd + `" --network=none --cgroupns=host --cgroup-parent=limited.slice
systemctl start docker
docker import /e2e/probe.tar localhost/probe > /dev/null
probe_ctr v1-docker-parent-private docker` + opts + ` --cgroupns private --cgroup-parent /limited
probe_ctr v1-docker-parent-host docker` + opts + ` --cgroupns host --cgroup-parent /limited
probe_hostroot v1-crun-hostroot "` + sd + `"
`
	// Below a limited parent: hierarchical_memory_limit shows the memory
	// limit, nothing shows the CPU quota.
	belowParent := func(own, mount string) view {
		diags := codes("ancestors-hidden", "limit-in-ancestor")
		return view{mode: "v1", cgroup: own, mount: mount, memory: "hierarchical_memory_limit", pids: 2048, pidsAt: own, diags: diags}
	}
	v1ParentCases := func(prefix, parent, name string) []runtimeCase {
		// The CPU quota is hidden in both namespaces.
		outside := func(leaf string) view {
			return view{mode: "hybrid", cgroup: leaf, memory: parent, cpu: parent, pids: 2048, pidsAt: leaf,
				diags: codes(codeHidden, "limit-in-ancestor")} // hidden from the process
		}
		return []runtimeCase{
			{label: prefix + "-parent-private", cgroup: regexp.QuoteMeta(parent) + name, private: true, v1: true,
				inside: func(string) view { return belowParent("/", "/") }, outside: outside},
			{label: prefix + "-parent-host", cgroup: regexp.QuoteMeta(parent) + name, v1: true,
				inside: func(own string) view { return belowParent(own, own) }, outside: outside},
		}
	}
	cases := []runtimeCase{
		{label: "v1-crun-systemd-ctr", cgroup: podmanC + `/container`, private: true, v1: true,
			inside: func(string) view {
				return view{mode: "v1", cgroup: "/", memory: "/", cpu: "/", swap: "/", pids: 2048, pidsAt: "/",
					diags: codes("ancestors-hidden")}
			},
			outside: func(leaf string) view {
				return view{mode: "hybrid", cgroup: leaf, memory: leaf, cpu: leaf, swap: leaf, pids: 2048, pidsAt: leaf,
					diags: codes()}
			}},
	}
	cases = append(cases, v1ParentCases("v1-crun-systemd", "/limited.slice", `/libpod-`+hexID+`\.scope/container`)...)
	cases = append(cases, v1ParentCases("v1-docker", "/limited", `/`+hexID)...)
	s := runtimeScenario("runtimes-v1-6.1", runtimeMachine(true), run, false, cases)
	s.checks = append(s.checks, hostRootChecks("v1-crun-hostroot", true)...)
	return s
}

// runtimeScenario boots the runtime guest m with run (after runtimeLib)
// and checks every case; dind adds the dind image.
func runtimeScenario(name string, m machine, run string, dind bool, cases []runtimeCase) scenario {
	script := "#!/bin/sh\n(\nset -ex\n" + runtimeLib + hostRootLib + run + `)
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
				require.NoError(t, img.copy("e2e/vmscan", filepath.Join(vm.bin, "vmscan")))
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
	re := regexp.MustCompile(`^(` + c.cgroup + `)$`)
	return []check{
		{c.label + "-inside", func(t *testing.T, out probe.Output) {
			own := c.cgroupOf(t, out.ProcSelfCgroup)
			if c.private {
				assert.Equal(t, "/", own, "the container sits at its namespace's root")
				assert.NotEqual(t, initialCgroupNamespace, out.CgroupNamespace)
			} else {
				assert.Regexp(t, re, own, "the container sees its cgroup as the host does")
				assert.Equal(t, initialCgroupNamespace, out.CgroupNamespace)
			}
			root := "/"
			if c.v1 && !c.private {
				root = own
			}
			c.checkMounts(t, out.CgroupMounts, root, "the container's cgroup mounts")
			// In a cgroup namespace of its own, or below a bind-mounted
			// cgroup (v1), the container sees only the tightest visible.
			scope := effective
			if c.private || c.v1 {
				scope = visible
			}
			assert.Equal(t, c.inside(own).document(scope), reportOf(t, out.Detect, m), "Detect in the container")
		}},
		{c.label + "-outside", func(t *testing.T, out probe.Output) {
			assert.Equal(t, initialCgroupNamespace, out.CgroupNamespace, "the probe runs on the guest host")
			require.Len(t, out.ForPID, 1)
			a := out.ForPID[0]
			require.NotNil(t, a.Target, "ForPID(%s): %s", a.Query, a.Error)
			leaf := c.cgroupOf(t, a.Target.ProcCgroup)
			require.Regexp(t, re, leaf, "the container's cgroup from the guest host")
			root := "/"
			if c.private || c.v1 {
				root = leaf
			}
			c.checkMounts(t, a.Target.CgroupMounts, root, "the container's cgroup mounts seen from the guest host")
			v := c.outside(leaf)
			assert.Equal(t, v.document(effective), reportOf(t, a, m), "ForPID(%s) on the guest host", a.Query)
			hidden := v.hiddenFrom(root)
			assert.Equal(t, len(hidden) > 0, slices.Contains(v.diags, probe.DiagnosticDoc{Code: codeHidden}),
				"the case expects %s exactly when a limit is above %s: %v", codeHidden, root, hidden)
			if len(hidden) > 0 {
				assertHiddenMessage(t, a, root, hidden...)
			}
		}},
	}
}

// cgroupOf returns the cgroup a /proc/PID/cgroup file gives for the
// hierarchies a report uses: its one line on v2; on v1 those of memory,
// cpu, cpuset and pids, which must agree.
func (c runtimeCase) cgroupOf(t *testing.T, procCgroup string) string {
	t.Helper()
	paths := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(procCgroup, "\n"), "\n") {
		if f := strings.SplitN(line, ":", 3); len(f) == 3 {
			for _, controller := range strings.Split(f[1], ",") {
				paths[controller] = f[2]
			}
		}
	}
	if !c.v1 {
		require.Equal(t, map[string]string{"": paths[""]}, paths, "one v2 line: %q", procCgroup)
		return paths[""]
	}
	own := paths["memory"]
	for _, controller := range []string{"cpu", "cpuset", "pids"} {
		assert.Equal(t, own, paths[controller], "the %s cgroup is the memory cgroup: %q", controller, procCgroup)
	}
	return own
}

// checkMounts checks that the cgroup mounts of a container's mountinfo
// show root as their root: on v2 its one cgroup2 mount, on v1 those of the
// hierarchies a report uses (the container also has name=systemd, and
// misc, which runc 1.1 does not know and leaves at the root).
func (c runtimeCase) checkMounts(t *testing.T, mountinfo []string, root, what string) {
	t.Helper()
	roots := rootsOf(mountinfo)
	if !c.v1 {
		assert.Equal(t, []mountRoot{{"/sys/fs/cgroup", root}}, roots, "%s: one cgroup2 mount", what)
		return
	}
	want, got := map[string]string{}, map[string]string{}
	for _, point := range v1Hierarchies {
		want[point] = root
	}
	for _, r := range roots {
		if _, ok := want[r.point]; ok {
			got[r.point] = r.root
		}
	}
	assert.Equal(t, want, got, what)
}

// containerImage is the tar that the runtime scenarios import as an image
// (no registry is reachable): a static busybox, the probe and vmscan, /usr so that
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
		require.NoError(t, img.copy(root+"vmscan", filepath.Join(vm.bin, "vmscan")))
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
