package limits

import (
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
		if systemd.OutsidePod(loc.Path) {
			r.diag(CodeContainerOutsidePod, "cgroup "+loc.Path+" is named as part of a Kubernetes pod but no kubepods pod cgroup is among its ancestors, "+
				"so no pod limit applies: the runtime and kubelet disagree on the cgroup driver, or the runtime lacks its systemd-cgroup option")
		}
		if systemd.Parse(loc.Path).KubeletCgroupfsName() {
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
