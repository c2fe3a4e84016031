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
