package report

import "github.com/truelimit/truelimit/limits"

// CodeHelp says in one line each what a diagnostic code means and what to
// do about it.
type CodeHelp struct {
	Code    limits.Code
	Meaning string
	Action  string
}

// codeHelp has one entry per limits.Code constant, in their order.
var codeHelp = [...]CodeHelp{
	{limits.CodeLimitInAncestor, "the binding limit is set above the process's own cgroup",
		"size heaps and worker pools from the effective limit shown here, not from the leaf's own files"},
	{limits.CodeAncestorsHidden, "the top visible cgroup is not the root: limits above it may be invisible",
		"ask from outside (cgroupinfo -pid PID on the host), or pass the limit in (e.g. the downward API)"},
	{limits.CodeLimitHiddenFromProcess, "the binding limit is above the top cgroup the process can see",
		"the process cannot find this limit itself: give it its budget explicitly (flags or environment)"},
	{limits.CodeSharedLimit, "other cgroups under the binding level use a tenth or more of its limit",
		"budget from the headroom, not the limit, or give each container a limit of its own"},
	{limits.CodeControllerMissing, "memory or cpu is not mounted, or not enabled for this cgroup",
		"enable it in the parent's cgroup.subtree_control (systemd: Delegate=yes) or expect no limit from it"},
	{limits.CodeCgroupUnreachable, "the process's cgroup is outside the reader's cgroup namespace or mounts",
		"run cgroupinfo inside the process's cgroup namespace, or on the host with -pid"},
	{limits.CodeNoCgroup, "no cgroup filesystem is mounted: only the host's totals are known",
		"mount cgroup2 at /sys/fs/cgroup in the container or chroot if its limits matter"},
	{limits.CodeMemcgLeakRisk, "v1 kernel-memory accounting before 4.15, or memory cgroup IDs near 65535",
		"boot with cgroup.memory=nokmem or a newer kernel; drain and reboot the node before mkdir fails"},
	{limits.CodeCgroupNotCreated, "the cgroup asked about does not exist yet: its nearest ancestor's limits",
		"ask again once the runtime has created the cgroup"},
	{limits.CodeContainerOutsidePod, "a pod's container cgroup outside the pod's cgroup: no pod limit applies",
		"turn on the runtime's systemd cgroup option (containerd SystemdCgroup = true, runsc --systemd-cgroup)"},
	{limits.CodeDriverMismatch, "kubelet's cgroupfs naming on a host whose cgroups systemd manages",
		"set cgroupDriver: systemd in kubelet and the systemd cgroup option in the runtime"},
	{limits.CodeBadValue, "a file held what the kernel never writes: the value it feeds is unknown",
		"check the file named (a fake or damaged cgroupfs); attach cgroupinfo -v to a bug report"},
	{limits.CodeReadError, "a file could not be read: the value it feeds is unknown",
		"check permissions (EACCES) or whether the cgroup vanished; run as a user that can read it"},
}

// DiagnosticHelp returns what each diagnostic code of package limits means
// and what to do about it, in the order limits declares the codes. The
// slice is the caller's. It is safe for concurrent use.
func DiagnosticHelp() []CodeHelp {
	return append([]CodeHelp(nil), codeHelp[:]...)
}

// helpFor returns the help of code; ok is false for a code this package
// does not know.
func helpFor(code limits.Code) (CodeHelp, bool) {
	for _, h := range codeHelp {
		if h.Code == code {
			return h, true
		}
	}
	return CodeHelp{}, false
}
