package node

import (
	"sort"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/internal/hidden"
)

// Limits are the limits of one cgroup, either those its own files set (Own)
// or those in force for a process in it (Effective). Each value has its own
// state: unlimited is never a huge number, and unknown (a file that could not
// be read or parsed, a controller that is not there) is neither.
type Limits struct {
	// Memory is the hard memory limit: v2 memory.max, v1
	// memory.limit_in_bytes.
	Memory limits.Limit
	// High is v2 memory.high, the throttling limit; Unknown on v1, which
	// has no such file.
	High limits.Limit
	// CPU is the CFS bandwidth limit: v2 cpu.max, v1 cpu.cfs_quota_us over
	// cpu.cfs_period_us.
	CPU limits.CPULimit
	// CPUSet is v2 cpuset.cpus.effective, v1 cpuset.effective_cpus (or
	// cpuset.cpus on kernels without it). As own value it is Limited when
	// the cgroup has the file and Unlimited when it has none.
	CPUSet limits.CPUSetLimit
	// Pids is pids.max.
	Pids limits.Limit
}

// Cgroup is one cgroup of the scanned tree.
type Cgroup struct {
	// Path is the cgroup path as /proc/<pid>/cgroup writes it ("/" is the
	// top of the hierarchy, "/kubepods.slice/..." below it).
	Path string
	// Own holds what the cgroup's own files say: Limited with the value
	// and Source == Path, Unlimited when the file reads "max" (v1: -1 or
	// the unlimited value) or the cgroup has no such file, Unknown when it
	// could not be read or parsed.
	Own Limits
	// Effective is what binds a process in the cgroup: the lowest limit of
	// the cgroup and its ancestors up to the top visible cgroup, with the
	// cgroup that set it as Source, exactly as limits.ForCgroup reports.
	// Each memory limit, memory.high, CPU limit and pids limit has the Scope
	// ForCgroup gives it: limits.ScopeVisible when the top visible cgroup of
	// its hierarchy is not provably the host's root cgroup (its mount root is
	// not "/", it has a limit file the root cannot have, or, at root "/",
	// the reader is in a cgroup namespace of its own), so that a cgroup
	// above it, hidden from the reader, may set a lower limit;
	// limits.ScopeEffective otherwise, and for a v1 memory limit that the
	// top's hierarchical_memory_limit or a memory.use_hierarchy of 0 below
	// the top settles. Own values always have ScopeEffective: they are the
	// cgroup's own file.
	Effective Limits
	// Absent names the controllers, on a v1 host, whose hierarchy has no
	// cgroup at Path although another hierarchy has: their Own values are
	// Unknown and their Effective values are those of the nearest ancestor
	// that exists there, where a process in Path really is (as ForCgroup
	// reports with cgroup-not-created). Nil on cgroup v2.
	Absent []string
	// Process is, with WithProcessViews, what a process of this leaf
	// cgroup can see of its Effective limits; nil without the option, for
	// a cgroup with child cgroups, and for a leaf with no process or whose
	// process could not be read.
	Process *ProcessView
	// Usage is, with WithUsage, the cgroup's memory usage and headroom;
	// nil without the option.
	Usage *CgroupUsage
	// Counters are, with WithCounters, the cgroup's own OOM-kill, memory
	// event and CPU throttling counters; nil without the option.
	Counters *CgroupCounters
}

// CgroupUsage is how much memory a cgroup uses and how much more it may
// use before a hard limit binds (WithUsage).
type CgroupUsage struct {
	// Current is the cgroup's v2 memory.current (v1
	// memory.usage_in_bytes): what it and its descendants are charged.
	// Unknown when the file is absent (the v2 root cgroup, a cgroup whose
	// memory controller is not enabled), could not be read or held
	// garbage (a diagnostic names it), and for a cgroup that is not in the
	// memory hierarchy (Absent names memory).
	Current limits.Count
	// Headroom is the lowest limit_L - current_L, clamped at 0, over the
	// cgroup and its ancestors up to the top visible cgroup whose hard
	// memory limit (Effective.Memory's files) counts, current_L being
	// that level's own usage, its other children's included; Source is
	// that level, the closest on a tie. A cgroup not in the memory
	// hierarchy has its nearest ancestor's. Unknown when Effective.Memory
	// is not Limited, when a usage it needs is unknown, and when no level
	// the scan sees sets the limit (v1: it comes from the top's
	// hierarchical_memory_limit alone). It never has the source
	// hierarchical_memory_limit: the scan's headroom is over the visible
	// levels only.
	Headroom limits.Headroom
}

// ProcessView is what one process of a leaf cgroup can see of the limits
// that bind it (WithProcessViews). The kernel shows a process the cgroups
// at and below the root of its own mount of each hierarchy (its cgroup
// namespace root, or the cgroup a runtime bind-mounted there): a limit set
// above that top binds it, but a program sizing itself from the files it
// can read (GOMEMLIMIT, GOMAXPROCS, a JVM's heap) does not see it.
//
// Scan finds the top as limits.ForPID does: from R/proc/<pid>/mountinfo,
// whose cgroup mount roots the kernel prints relative to the reader's
// cgroup namespace (the full path, read from the host), matched against the
// process's R/proc/<pid>/cgroup. A v1 memory limit is never hidden from a
// process that has a memory mount: its memory.stat's
// hierarchical_memory_limit counts every level above it.
type ProcessView struct {
	// PID is the first process the cgroup's cgroup.procs lists (in the
	// reader's PID namespace). On v1 a hierarchy whose cgroup.procs starts
	// with another process reads the same one if it is in the cgroup there
	// too; the others' views are not joined to it.
	PID int
	// Hidden names the limits of Effective that bind the process but that
	// it cannot see, in the order LimitMemory, LimitMemoryHigh, LimitCPU,
	// LimitPids; nil when it sees each one that binds it.
	Hidden []string
	// Sees holds, for each limit in Hidden, what the process sees instead:
	// the lowest limit set by the cgroups from the top of its mount of that
	// hierarchy down to its own, with Scope limits.ScopeVisible; Unlimited
	// when it has no mount of that hierarchy at all (the diagnostic says
	// which). The values of the limits not in Hidden are zero (Unknown).
	Sees Limits
	// clauses are the sentences of the limit-hidden-from-process
	// diagnostic, until Scan has added it.
	clauses []hidden.Clause
}

// Hierarchy says where the values of some controllers were read.
type Hierarchy struct {
	Controllers []string // of "memory", "cpu", "cpuset", "pids"
	Version     cgroup.Version
	MountPoint  string // mountinfo field 5
	MountRoot   string // mountinfo field 4: the top visible cgroup
	Top         string // the cgroup the scan started at
}

// Tree is the answer of Scan.
type Tree struct {
	// Cgroups are sorted by path compared component by component, so a
	// cgroup comes right before its subtree and siblings come by name.
	Cgroups []Cgroup
	// Hierarchies are the hierarchies walked: one on cgroup v2, one per
	// mounted controller hierarchy on v1.
	Hierarchies []Hierarchy
	// Mode is the host's cgroup mode as the mounts found tell it
	// (cgroup.ModeOf): hybrid where a cgroup2 without controllers, which
	// is not walked, is mounted beside v1 hierarchies.
	Mode cgroup.Mode
	// Diagnostics use the codes of package limits: bad-value and
	// read-error name the file, controller-missing and cgroup-unreachable
	// the controller, no-cgroup a host without cgroups.
	Diagnostics []limits.Diagnostic
}

// Lookup returns the cgroup at path, or nil if the tree has none there.
func (t *Tree) Lookup(path string) *Cgroup {
	i := sort.Search(len(t.Cgroups), func(i int) bool { return comparePaths(t.Cgroups[i].Path, path) >= 0 })
	if i < len(t.Cgroups) && t.Cgroups[i].Path == path {
		return &t.Cgroups[i]
	}
	return nil
}

// comparePaths orders cgroup paths component by component: '/' sorts before
// every byte a name can hold, so "/a/x" < "/a-b" and a depth-first walk that
// visits siblings in byte order emits paths in this order.
func comparePaths(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := pathByte(a[i]), pathByte(b[i])
		if ca != cb {
			if ca < cb {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

func pathByte(c byte) int {
	if c == '/' {
		return -1
	}
	return int(c)
}

// Names of the limits in DiffersFromOwn.
const (
	LimitMemory     = "memory"
	LimitMemoryHigh = "memory.high"
	LimitCPU        = "cpu"
	LimitCPUSet     = "cpuset"
	LimitPids       = "pids"
)

// DiffersFromOwn names the limits whose effective value is not the one the
// cgroup's own file sets: a lower limit of an ancestor binds, the cgroup
// inherits its cpuset, or an ancestor's unreadable file makes it unknown.
// These are what tools that read only a container's own files get wrong.
//
// Scope does not count: an own value is the cgroup's own file, an effective
// one may be only the tightest visible, and the same value from the same
// cgroup is the same limit.
func (c *Cgroup) DiffersFromOwn() []string {
	var out []string
	if !sameLimit(c.Own.Memory, c.Effective.Memory) {
		out = append(out, LimitMemory)
	}
	if !sameLimit(c.Own.High, c.Effective.High) {
		out = append(out, LimitMemoryHigh)
	}
	own, eff := c.Own.CPU, c.Effective.CPU
	own.Scope, eff.Scope = limits.ScopeEffective, limits.ScopeEffective
	if own != eff {
		out = append(out, LimitCPU)
	}
	set, effSet := c.Own.CPUSet, c.Effective.CPUSet
	if set.State != effSet.State || set.Source != effSet.Source || !set.CPUs.Equal(effSet.CPUs) {
		out = append(out, LimitCPUSet)
	}
	if !sameLimit(c.Own.Pids, c.Effective.Pids) {
		out = append(out, LimitPids)
	}
	return out
}

// sameLimit reports whether two limits are the same value from the same
// cgroup, whatever their scope.
func sameLimit(a, b limits.Limit) bool {
	a.Scope, b.Scope = limits.ScopeEffective, limits.ScopeEffective
	return a == b
}
