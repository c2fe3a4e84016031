package limits

import (
	"strings"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/systemd"
)

// diagnoseNames reads what the located cgroups' names say (package systemd)
// and raises container-outside-pod and driver-mismatch.
func (r *reader) diagnoseNames() {
	for _, p := range r.placed {
		if !p.found {
			continue
		}
		loc := p.loc
		info := systemd.Parse(loc.Path)
		if belongsToPod(info) && !underPod(loc.Path) {
			r.diag(CodeContainerOutsidePod, "cgroup "+loc.Path+" is named as part of a Kubernetes pod but no kubepods pod cgroup is among its ancestors, "+
				"so no pod limit applies: the runtime and kubelet disagree on the cgroup driver, or the runtime lacks its systemd-cgroup option")
		}
		if info.Driver == systemd.DriverCgroupfs && !info.Literal && (info.PodUID != "" || info.QoS != "" || info.Kind == systemd.KindPod) {
			if manager := r.systemdManaged(loc.Mount); manager != "" {
				r.diag(CodeDriverMismatch, "cgroup "+loc.Path+" follows kubelet's cgroupfs naming on a host whose cgroups systemd manages ("+manager+
					" exists): two managers of one tree; use the systemd cgroup driver in kubelet and the runtime")
			}
		}
		// One located cgroup is enough: the names are the same in every
		// hierarchy, and the diagnostics are about the path.
		return
	}
}

// belongsToPod reports whether a cgroup's name says it is part of a pod.
func belongsToPod(info systemd.Info) bool {
	return info.Literal || info.PodUID != "" ||
		info.Runtime == systemd.RuntimeCRIContainerd || info.Runtime == systemd.RuntimeCRIO
}

// underPod reports whether a kubepods pod cgroup is among the ancestors of
// path, or is path itself.
func underPod(path string) bool {
	for p := path; p != "/" && p != ""; p = p[:strings.LastIndexByte(p, '/')] {
		if systemd.Parse(p).Kind == systemd.KindPod {
			return true
		}
	}
	return false
}

// systemdManaged returns the unit directory ("/system.slice", "/init.scope")
// that shows systemd manages the cgroup tree, looked for at the root of the
// given hierarchy and of the name=systemd hierarchy, or "".
func (r *reader) systemdManaged(hierarchy cgroup.Mount) string {
	roots := []cgroup.Mount{hierarchy}
	for _, m := range r.mounts {
		if m.Name() == "systemd" {
			roots = append(roots, m)
		}
	}
	for _, m := range roots {
		if m.Root != "/" {
			continue
		}
		for _, unit := range []string{"system.slice", "init.scope"} {
			// Resolved beneath the root; a unit directory is never a link.
			if r.dir.DirBelow(m.MountPoint, "/"+unit) == nil {
				return "/" + unit
			}
		}
	}
	return ""
}
