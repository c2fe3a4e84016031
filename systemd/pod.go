package systemd

import "strings"

// OutsidePod reports whether the cgroup at path is named as part of a
// Kubernetes pod (a pod UID, a container scope of a CRI runtime, a Literal
// cgroupsPath directory) while no kubepods pod cgroup is among its ancestors
// nor is it one: no pod limit applies to it. The runtime and kubelet then
// disagree on the cgroup driver, or the runtime lacks its systemd-cgroup
// option (a gVisor sandbox under system.slice). This is the rule of the
// container-outside-pod diagnostic.
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
// of the driver-mismatch diagnostic.
func (i Info) KubeletCgroupfsName() bool {
	return i.Driver == DriverCgroupfs && !i.Literal && (i.PodUID != "" || i.QoS != "" || i.Kind == KindPod)
}
