package limits

// Code is the stable identifier of a Diagnostic.
type Code string

// Diagnostic codes.
const (
	// CodeLimitInAncestor: the binding memory limit, memory.high or CPU quota
	// is set above the process's own cgroup (including through v1
	// hierarchical_memory_limit). Tools that read only the leaf miss it.
	CodeLimitInAncestor Code = "limit-in-ancestor"
	// CodeAncestorsHidden: the top of the visible walk is not the host's root
	// cgroup, so limits above it may be invisible (a cgroup namespace, or a
	// mount rooted at the container's cgroup).
	CodeAncestorsHidden Code = "ancestors-hidden"
	// CodeLimitHiddenFromProcess (ForPID, and node.Scan with process
	// views): the binding memory limit, memory.high, CPU limit or pids limit
	// is set above the top cgroup the process can see (the root of its own
	// cgroup mount, from /proc/<pid>/mountinfo), so inside it is told a
	// higher limit or none. The message says what it sees and what applies.
	CodeLimitHiddenFromProcess Code = "limit-hidden-from-process"
	// CodeSharedLimit (DetectUsage and its kin): the level that leaves the least memory
	// headroom is not the cgroup itself, and the other cgroups below it
	// use at least a tenth of its limit: a budget of 0.9 of that limit
	// (GOMEMLIMIT's default ratio) assumes room they already use.
	CodeSharedLimit Code = "shared-limit"
	// CodeControllerMissing: memory or cpu is not mounted, or not enabled for
	// this cgroup.
	CodeControllerMissing Code = "controller-missing"
	// CodeCgroupUnreachable: the process's cgroup in a hierarchy cannot be
	// located from the reader's mounts; its values are unknown.
	CodeCgroupUnreachable Code = "cgroup-unreachable"
	// CodeNoCgroup: no cgroup filesystem is mounted; only host totals.
	CodeNoCgroup Code = "no-cgroup"
	// CodeMemcgLeakRisk: v1 kernel-memory accounting on a kernel older than
	// 4.15, or memory cgroup IDs near the 65535 limit: mkdir of new cgroups
	// can start failing with ENOSPC.
	CodeMemcgLeakRisk Code = "memcg-leak-risk"
	// CodeCgroupNotCreated: the cgroup ForCgroup was asked about does not
	// exist yet; the limits are those of its nearest existing ancestor.
	CodeCgroupNotCreated Code = "cgroup-not-created"
	// CodeContainerOutsidePod: the cgroup's name says it belongs to a
	// Kubernetes pod (a cri-containerd or crio scope, a pod UID, or a literal
	// "<pod>.slice:<prefix>:<id>" directory) but no kubepods pod cgroup is
	// among its ancestors, so no pod limit applies: the runtime and kubelet
	// disagree on the cgroup driver, or the runtime lacks its systemd option.
	CodeContainerOutsidePod Code = "container-outside-pod"
	// CodeDriverMismatch: cgroupfs-style /kubepods/... paths on a host whose
	// cgroups systemd manages (system.slice or init.scope exist): two managers
	// of one tree; kubelet should use the systemd cgroup driver.
	CodeDriverMismatch Code = "driver-mismatch"
	// CodeBadValue: an interface file held something the kernel never
	// writes; the value it feeds is unknown.
	CodeBadValue Code = "bad-value"
	// CodeReadError: an interface file could not be read (EACCES, a vanished
	// cgroup, ...); the value it feeds is unknown.
	CodeReadError Code = "read-error"
)

// Diagnostic is something the caller should know about the answer.
type Diagnostic struct {
	Code    Code
	Message string
}
