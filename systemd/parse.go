package systemd

import "strings"

// Driver is the cgroup driver whose naming a path follows.
type Driver string

// The cgroup drivers kubelet and the OCI runtimes know.
const (
	DriverUnknown Driver = ""
	// DriverSystemd: systemd units create the cgroups, so names are units
	// such as "kubepods.slice" and "cri-containerd-<id>.scope".
	DriverSystemd Driver = "systemd"
	// DriverCgroupfs: the runtime or kubelet makes plain directories, such as
	// "kubepods/burstable" and "docker/<id>".
	DriverCgroupfs Driver = "cgroupfs"
)

// Kind is what a cgroup is, as its name says.
type Kind string

// The kinds of cgroup Parse recognises.
const (
	KindUnknown Kind = ""
	// KindRoot is the hierarchy's root, "/".
	KindRoot Kind = "root"
	// KindSlice is a systemd slice, or one of kubelet's cgroupfs grouping
	// directories ("kubepods", "kubepods/burstable") that play a slice's role.
	KindSlice Kind = "slice"
	// KindPod is a Kubernetes pod's cgroup.
	KindPod Kind = "pod"
	// KindContainer is a container's cgroup, or a cgroup below one.
	KindContainer Kind = "container"
	// KindService is a systemd service unit.
	KindService Kind = "service"
	// KindSession is a logind session scope, "session-<n>.scope".
	KindSession Kind = "session"
	// KindScope is any other systemd scope unit, such as "init.scope".
	KindScope Kind = "scope"
)

// Info is what a cgroup path says about the cgroup it names. Fields the path
// does not show are empty.
type Info struct {
	// Driver is the naming style of the deepest component Parse recognised.
	// A Literal directory counts as cgroupfs: a cgroupfs-style runtime made it.
	Driver Driver
	// Kind is what the last component names. Below a container every
	// unrecognised component is KindContainer: it is part of that container.
	Kind Kind
	// QoS is the pod's class, when the path is at or below a pod or QoS level.
	QoS QoS
	// PodUID is the Kubernetes pod UID with dashes, as the API server writes it
	// (kubelet's systemd driver writes '_' for '-').
	PodUID string
	// ContainerID is the ID, without the runtime's prefix, of the innermost
	// container the cgroup is or lies below (so a slice of a systemd running
	// inside a container keeps the container's ID).
	ContainerID string
	// Runtime is the runtime whose naming the container cgroup shows.
	Runtime Runtime
	// Conmon is set when the cgroup is the one of CRI-O's or Podman's conmon
	// monitor for the container ("crio-conmon-<id>.scope"), not the
	// container's own.
	Conmon bool
	// Literal is set when the cgroup is, or lies below, a directory whose name
	// is a whole systemd cgroupsPath, "<slice>:<prefix>:<id>" with a non-empty
	// id: a runtime without its systemd cgroup option was given a systemd
	// cgroupsPath and joined it literally under its own cgroup (for example
	// runsc creating
	// "/system.slice/kubepods-burstable-pod<uid>.slice:cri-containerd:<id>").
	// Such a cgroup is outside the pod's slice, so no pod limit applies.
	Literal bool
}

// Parse reads any cgroup path, as /proc/<pid>/cgroup shows it, and returns
// what its names say. It recognises:
//   - systemd units: slices (with kubelet's "kubepods[-<qos>][-pod<uid>].slice"
//     names anywhere in a slice name, so a kind node's
//     "kubelet-kubepods-....slice" works), scopes of the runtimes listed on
//     Runtime, logind session scopes, other scopes and services;
//   - kubelet's cgroupfs tree "kubepods[/<qos>]/pod<uid>/<container>" below
//     any root, with CRI-O's "crio-<id>" container directories;
//   - Docker's cgroupfs "docker/<64 hex>", containerd's CRI namespace
//     "k8s.io/<64 hex>" and Podman's "libpod_parent/libpod-<id>";
//   - the Literal "<slice>:<prefix>:<id>" directory.
//
// Components are read from the root down and the deepest recognised one
// decides; a kubelet tree nested inside a container (kind, Docker-in-Docker)
// replaces what the outer container said. Parse never fails; a path it does
// not recognise gives an Info with KindUnknown.
func Parse(path string) Info {
	var (
		info Info
		prev role
		seen bool
	)
	for rest := path; rest != ""; {
		var c string
		c, rest, _ = strings.Cut(rest, "/")
		if c == "" {
			continue
		}
		seen = true
		prev = info.apply(c, prev)
	}
	if !seen {
		info.Kind = KindRoot
	}
	return info
}

// role is what a cgroupfs component was, for reading the one after it.
type role uint8

const (
	roleNone role = iota
	roleKubepods
	roleQoS
	rolePod
	roleDockerParent
	roleK8sIOParent
	roleLibpodParent
)

// apply updates info with component c, which follows a component of role
// prev, and returns c's role.
func (info *Info) apply(c string, prev role) role {
	switch {
	case strings.Count(c, ":") == 2 && !strings.HasSuffix(c, ":") && IsSystemdCgroupsPath(c):
		info.applyLiteral(c)
	case strings.HasSuffix(c, sliceSuffix):
		info.Driver = DriverSystemd
		info.applySlice(strings.TrimSuffix(c, sliceSuffix))
	case strings.HasSuffix(c, scopeSuffix):
		info.Driver = DriverSystemd
		info.applyScope(strings.TrimSuffix(c, scopeSuffix))
	case strings.HasSuffix(c, ".service"):
		info.Driver = DriverSystemd
		info.Kind = KindService
	default:
		return info.applyCgroupfs(c, prev)
	}
	return roleNone
}

// applyCgroupfs reads a component that is not a systemd unit name.
func (info *Info) applyCgroupfs(c string, prev role) role {
	if prev == rolePod {
		// Kubelet's layout: every directory in a pod's is a container.
		info.setContainer(RuntimeUnknown, false, c)
		if r, id, ok := splitRuntime(c); ok && (r.rt == RuntimeCRIO || r.rt == RuntimeLibpod) {
			info.setContainer(r.rt, r.conmon, id)
		}
		info.Driver = DriverCgroupfs
		return roleNone
	}
	if c == kubepods {
		*info = Info{Driver: DriverCgroupfs, Kind: KindSlice}
		return roleKubepods
	}
	if prev == roleKubepods {
		if qos, ok := qosFromName(c); ok {
			info.QoS, info.Kind = qos, KindSlice
			return roleQoS
		}
	}
	if prev == roleKubepods || prev == roleQoS {
		if uid, ok := podUIDFromName(c); ok {
			if prev == roleKubepods {
				info.QoS = QoSGuaranteed
			}
			info.PodUID, info.Kind = uid, KindPod
			return rolePod
		}
	}
	switch {
	case prev == roleDockerParent && isHex64(c):
		info.setContainer(RuntimeDocker, false, c)
		info.Driver = DriverCgroupfs
	case prev == roleK8sIOParent && isHex64(c):
		info.setContainer(RuntimeCRIContainerd, false, c)
		info.Driver = DriverCgroupfs
	case prev == roleLibpodParent && strings.HasPrefix(c, "libpod-"):
		if r, id, ok := splitRuntime(c); ok {
			info.setContainer(r.rt, r.conmon, id)
			info.Driver = DriverCgroupfs
		}
	default:
		if info.Kind != KindContainer {
			info.Kind = KindUnknown
		}
		switch c {
		case "docker":
			return roleDockerParent
		case "k8s.io":
			return roleK8sIOParent
		case "libpod_parent":
			return roleLibpodParent
		}
	}
	return roleNone
}

func (info *Info) setContainer(rt Runtime, conmon bool, id string) {
	info.Kind, info.Runtime, info.Conmon, info.ContainerID, info.Literal = KindContainer, rt, conmon, id, false
}

// applySlice reads a slice name without ".slice". A name with a "kubepods"
// component is kubelet's: the kubepods slice, a QoS slice or a pod slice.
func (info *Info) applySlice(base string) {
	info.Kind = KindSlice
	parts := base
	for parts != "" {
		var p string
		p, parts, _ = strings.Cut(parts, "-")
		if p == kubepods {
			info.applyKubepods(parts)
			return
		}
	}
}

// applyKubepods reads what follows "kubepods-" in a slice name: nothing, a
// QoS class, and/or "pod<uid>". It starts a fresh kubelet context, so
// whatever an enclosing container said is dropped.
func (info *Info) applyKubepods(rest string) {
	*info = Info{Driver: DriverSystemd, Kind: KindSlice}
	if rest == "" {
		return
	}
	first, after, _ := strings.Cut(rest, "-")
	if qos, ok := qosFromName(first); ok {
		info.QoS = qos
		if after == "" {
			return
		}
		first, after, _ = strings.Cut(after, "-")
	}
	uid, ok := podUIDFromName(first)
	if !ok {
		return
	}
	if info.QoS == QoSNone {
		info.QoS = QoSGuaranteed
	}
	info.PodUID = uid
	if after == "" {
		info.Kind = KindPod
	}
}

// applyScope reads a scope name without ".scope".
func (info *Info) applyScope(unit string) {
	if r, id, ok := splitRuntime(unit); ok {
		info.setContainer(r.rt, r.conmon, id)
		return
	}
	switch {
	case strings.HasPrefix(unit, "session-"):
		info.Kind = KindSession
	case info.Kind == KindPod && unit != "":
		// A scope directly in a pod slice is a container whatever its runtime.
		info.setContainer(RuntimeUnknown, false, unit)
	default:
		info.Kind = KindScope
	}
}

// applyLiteral reads a "<slice>:<prefix>:<name>" directory name.
func (info *Info) applyLiteral(c string) {
	cp, err := ParseCgroupsPath(c)
	if err != nil {
		return
	}
	if base, ok := strings.CutSuffix(cp.Slice, sliceSuffix); ok {
		info.applySlice(base)
	}
	info.Driver = DriverCgroupfs
	if strings.HasSuffix(cp.Name, sliceSuffix) {
		info.Kind = KindSlice
	} else {
		info.setContainer(runtimeForPrefix(cp.Prefix), false, cp.Name)
	}
	info.Literal = true
}

// isHex64 reports whether s is 64 hex digits, the length of the container IDs
// Docker and containerd generate.
func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if _, ok := unhex(s[i]); !ok {
			return false
		}
	}
	return true
}

// OutsidePod reports whether the cgroup at path is named as part of a
// Kubernetes pod (a pod UID, a container scope of a CRI runtime, a Literal
// cgroupsPath directory) while no kubepods pod cgroup is among its ancestors
// nor is it one: no pod limit applies to it. The runtime and kubelet then
// disagree on the cgroup driver, or the runtime lacks its systemd-cgroup
// option (a gVisor sandbox under system.slice). This is the rule of the
// container-outside-pod diagnostic, which package limits raises.
func OutsidePod(path string) bool {
	info := Parse(path)
	if !info.Literal && info.PodUID == "" && info.Runtime != RuntimeCRIContainerd && info.Runtime != RuntimeCRIO {
		return false
	}
	for p := path; p != "/" && p != ""; p = p[:strings.LastIndexByte(p, '/')] {
		if Parse(p).Kind == KindPod {
			return false
		}
	}
	return true
}

// KubeletCgroupfsName reports whether the name follows kubelet's cgroupfs
// driver ("kubepods/burstable", "kubepods/pod<uid>" and below): on a host
// whose cgroups systemd manages, two managers then share one tree, the rule
// of the driver-mismatch diagnostic, which package limits raises.
func (i Info) KubeletCgroupfsName() bool {
	return i.Driver == DriverCgroupfs && !i.Literal && (i.PodUID != "" || i.QoS != "" || i.Kind == KindPod)
}
