package limits

import (
	"github.com/truelimit/truelimit/cgroup"
)

// State says whether a limit is known and set.
type State uint8

// The states of a limit. Unlimited is its own state, never a huge number.
const (
	Unknown   State = iota // could not be determined; a Diagnostic says why
	Unlimited              // no cgroup on the walk sets a limit
	Limited                // a cgroup on the walk sets a limit
)

// String returns "unknown", "unlimited" or "limited".
func (s State) String() string {
	switch s {
	case Unlimited:
		return "unlimited"
	case Limited:
		return "limited"
	}
	return "unknown"
}

// Sources that name a v1 memory.stat, not a cgroup, as the source of a memory
// limit: the kernel's hierarchical values include ancestors the reader may
// not see.
const (
	SourceHierarchicalMemoryLimit = "hierarchical_memory_limit"
	SourceHierarchicalMemswLimit  = "hierarchical_memsw_limit"
)

// SourceLXCFS names LXCFS's /proc/meminfo as the source of a memory limit:
// LXCFS computes MemTotal on the host over the container's whole cgroup
// path, levels hidden from the container included.
const SourceLXCFS = "lxcfs:/proc/meminfo"

// Scope says how far up the hierarchy the walk behind a value could see.
type Scope uint8

const (
	// ScopeEffective: the value is the effective limit. The walk reached
	// the host's root cgroup, or ended below its top for a reason that makes
	// the levels above irrelevant (a v1 memory.use_hierarchy of 0), or the
	// kernel's own hierarchical value (v1 memory.stat) or LXCFS counted
	// every ancestor.
	ScopeEffective Scope = iota
	// ScopeVisible: the walk reached a top visible cgroup that is not the
	// host's root (a cgroup namespace, a bind mount of a cgroup, see
	// CodeAncestorsHidden), so the value is only the tightest limit visible
	// from here; a hidden ancestor may set a lower one. Read it from
	// outside (ForPID, cgroupinfo -pid on the host) for the effective one.
	ScopeVisible
)

// String returns "effective" or "visible".
func (s Scope) String() string {
	if s == ScopeVisible {
		return "visible"
	}
	return "effective"
}

// Limit is a byte limit (memory) or a count limit (pids) and the cgroup
// that set it.
type Limit struct {
	State State
	// Scope says whether the value (limited or unlimited) is the effective
	// one or only the tightest visible; meaningless when State is Unknown.
	Scope Scope
	Value uint64 // bytes or a count; valid when State is Limited
	// Source is the cgroup path (as /proc/<pid>/cgroup writes it) whose file
	// set the limit, SourceHierarchicalMemoryLimit or SourceLXCFS; "" unless
	// Limited.
	Source string
}

// Memory holds the effective memory limits.
type Memory struct {
	// Limit is the hard limit: v2 memory.max, v1 memory.limit_in_bytes
	// (or the leaf's hierarchical_memory_limit), the minimum over the walk.
	Limit Limit
	// High is v2 memory.high: above it the kernel throttles and reclaims.
	High Limit
	// Swap is v2 memory.swap.max: swap only.
	Swap Limit
	// MemSwap is v1 memory.memsw.limit_in_bytes: memory plus swap.
	MemSwap Limit
}

// CPULimit is a CPU bandwidth limit (v2 cpu.max, v1 cpu.cfs_quota_us and
// cpu.cfs_period_us) and the cgroup that set it.
type CPULimit struct {
	State  State
	Scope  Scope  // as Limit.Scope
	Quota  uint64 // microseconds of CPU time per Period; valid when Limited
	Period uint64 // microseconds
	Source string
}

// CPUs returns Quota/Period, the limit in CPUs (0.5, 2, 1.5), or 0 unless Limited.
func (c CPULimit) CPUs() float64 {
	if c.State != Limited || c.Period == 0 {
		return 0
	}
	return float64(c.Quota) / float64(c.Period)
}

// CPUSetLimit is the effective cpuset: that of the nearest cgroup on the walk
// that has one.
type CPUSetLimit struct {
	State  State // Limited when a cpuset file was found, even the full set
	CPUs   cgroup.CPUSet
	Source string
}

// Weight is the leaf's relative CPU weight: v2 cpu.weight (1..10000, default
// 100) or v1 cpu.shares (default 1024).
type Weight struct {
	State  State
	Value  uint64
	Shares bool // true when Value is v1 cpu.shares
	Source string
}

// CPU holds the effective CPU limits. The cpuset is reported beside the
// quota, not folded into it.
type CPU struct {
	Limit  CPULimit
	Set    CPUSetLimit
	Weight Weight
}

// Host holds the machine's totals: never limits, but the fallback when no
// cgroup sets one. A zero field is unknown.
type Host struct {
	MemTotal      uint64 // bytes, from /proc/meminfo MemTotal
	OnlineCPUs    int    // from /sys/devices/system/cpu/online
	AffinityCPUs  int    // sched_getaffinity of the process; live system only
	KernelRelease string // /proc/sys/kernel/osrelease; read only for v1 memory
}

// Placement is where one controller's cgroup was found.
type Placement struct {
	Controller string
	Version    cgroup.Version
	Path       string // as /proc/<pid>/cgroup writes it
	MountPoint string // where the hierarchy is mounted
	MountRoot  string // the cgroup mounted there (mountinfo field 4)
}

// Dir returns the cgroup's directory: the mount point plus the path below the
// mount's root (without the WithRoot prefix).
func (p Placement) Dir() string {
	return cgroup.Location{Mount: cgroup.Mount{Root: p.MountRoot, MountPoint: p.MountPoint}, Path: p.Path}.Dir()
}

// Reading is one interface file read on the walk, for reports.
type Reading struct {
	Controller string
	Cgroup     string // the level's cgroup path
	File       string
	Value      string // the trimmed content, or the error
}

// Result is the answer of Detect, ForPID and ForCgroup.
type Result struct {
	Mode        cgroup.Mode
	Memory      Memory
	CPU         CPU
	Pids        Limit // pids.max, the minimum over the walk
	Host        Host
	Placements  []Placement // memory, cpu, cpuset, pids; only those located
	Walk        []Reading
	Diagnostics []Diagnostic
}

// Has reports whether a diagnostic with the code was raised.
func (r *Result) Has(code Code) bool {
	for _, d := range r.Diagnostics {
		if d.Code == code {
			return true
		}
	}
	return false
}

// Placement returns where the controller's cgroup was found.
func (r *Result) Placement(controller string) (Placement, bool) {
	for _, p := range r.Placements {
		if p.Controller == controller {
			return p, true
		}
	}
	return Placement{}, false
}
