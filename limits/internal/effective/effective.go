// Package effective is the one rule for effective values: what binds a
// process in a cgroup is the lowest limit of the cgroup and every ancestor up
// to the top visible cgroup (Documentation/admin-guide/cgroup-v2.rst,
// "Top-down Constraint"; cgroup-v1/memory.rst, cpusets.rst;
// scheduler/sched-bwc.rst), the level closest to the process winning a tie,
// a CPU quota compared as the exact ratio quota/period, the nearest cpuset,
// v1 memory.use_hierarchy cutting the memory limits of a level and those
// above it off from its descendants, and v1 hierarchical_memory_limit
// standing in for levels the reader cannot see.
//
// A Chain takes the own values (package own) of the levels in either
// direction: Up from the process's cgroup to the top (package limits' walk)
// or Down from the top to a cgroup (package node's scan). The answer is the
// same either way.
package effective

import (
	"math/bits"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/limits/internal/own"
	cgv1 "github.com/truelimit/truelimit/v1"
)

// Direction is the order in which levels are added to a Chain.
type Direction bool

const (
	// Up adds the process's cgroup first, then each parent: a level added
	// later is farther from the process and loses a tie.
	Up Direction = false
	// Down adds the top first, then each child: a level added later is
	// closer to the process and wins a tie.
	Down Direction = true
)

// State says whether an effective value is known and set. Its values are
// those of limits.State, in the same order.
type State uint8

// The states of an effective value.
const (
	Unknown State = iota
	Unlimited
	Limited
)

// Sources that name a v1 memory.stat, not a cgroup, as the source of a
// limit: the kernel's hierarchical values include ancestors the reader may
// not see.
const (
	SourceHierarchicalMemoryLimit = "hierarchical_memory_limit"
	SourceHierarchicalMemswLimit  = "hierarchical_memsw_limit"
)

// Bytes is an effective byte or count limit.
type Bytes struct {
	State  State
	Value  uint64 // when Limited
	Source string // the level that set it, when Limited
}

// Quota is an effective CPU bandwidth limit.
type Quota struct {
	State         State
	Quota, Period uint64
	Source        string
}

// CPUs is the effective cpuset: that of the nearest level that has one.
type CPUs struct {
	State  State // Limited when a level has a cpuset file, even the full set
	Set    cgroup.CPUSet
	Source string
}

// lowest keeps the lowest byte or count limit offered.
type lowest struct {
	limited bool
	seen    bool // some level had the file
	broken  bool // some level's file could not be read or parsed
	value   uint64
	source  string
}

func (m *lowest) add(n own.Number, source string, dir Direction) {
	switch {
	case n.Status.Failed():
		m.broken = true
	case n.Status == own.Unlimited:
		m.seen = true
	case n.Status == own.Set:
		m.seen = true
		if !m.limited || n.Value < m.value || (dir == Down && n.Value == m.value) {
			m.limited, m.value, m.source = true, n.Value, source
		}
	}
}

// result is the effective value. A chain on which no level had the file is
// unlimited when the controller is enabled for the cgroup (the root cgroup
// has no limit files) and unknown otherwise.
func (m *lowest) result(enabled bool) Bytes {
	switch {
	case m.broken:
		return Bytes{State: Unknown}
	case m.limited:
		return Bytes{State: Limited, Value: m.value, Source: m.source}
	case m.seen || enabled:
		return Bytes{State: Unlimited}
	}
	return Bytes{State: Unknown}
}

// undecided reports whether the result depends on enabled.
func (m *lowest) undecided() bool { return !m.broken && !m.limited && !m.seen }

// withHierarchical lets a v1 memory.stat hierarchical_* value, which sees
// ancestors above the top visible cgroup, win when it is strictly lower
// than everything visible.
func withHierarchical(b Bytes, has bool, value uint64, source string) Bytes {
	if !has || b.State == Unknown || cgv1.IsUnlimited(value) || (b.State == Limited && value >= b.Value) {
		return b
	}
	return Bytes{State: Limited, Value: value, Source: source}
}

// lowestQuota keeps the lowest quota/period ratio offered.
type lowestQuota struct {
	limited bool
	seen    bool
	broken  bool
	quota   uint64
	period  uint64
	source  string
}

func (m *lowestQuota) add(q own.Quota, source string, dir Direction) {
	switch {
	case q.Status.Failed():
		m.broken = true
	case q.Status == own.Unlimited:
		m.seen = true
	case q.Status == own.Set:
		m.seen = true
		if q.Period > 0 && (!m.limited || ratioLess(q.Quota, q.Period, m.quota, m.period) ||
			(dir == Down && !ratioLess(m.quota, m.period, q.Quota, q.Period))) {
			m.limited, m.quota, m.period, m.source = true, q.Quota, q.Period, source
		}
	}
}

func (m *lowestQuota) result(enabled bool) Quota {
	switch {
	case m.broken:
		return Quota{State: Unknown}
	case m.limited:
		return Quota{State: Limited, Quota: m.quota, Period: m.period, Source: m.source}
	case m.seen || enabled:
		return Quota{State: Unlimited}
	}
	return Quota{State: Unknown}
}

func (m *lowestQuota) undecided() bool { return !m.broken && !m.limited && !m.seen }

// ratioLess reports whether q1/p1 < q2/p2, exactly: q1*p2 < q2*p1 in 128 bits.
func ratioLess(q1, p1, q2, p2 uint64) bool {
	hi1, lo1 := bits.Mul64(q1, p2)
	hi2, lo2 := bits.Mul64(q2, p1)
	return hi1 < hi2 || (hi1 == hi2 && lo1 < lo2)
}

// nearest keeps the cpuset of the level closest to the process that has a
// cpuset file; an unreadable or bad one there makes it unknown.
type nearest struct {
	decided bool
	cpus    CPUs
}

func (n *nearest) add(c own.CPUs, source string, dir Direction) {
	if c.Status == own.NotRead || c.Status == own.Absent || (n.decided && dir == Up) {
		return
	}
	n.decided = true
	if c.Status == own.Set {
		n.cpus = CPUs{State: Limited, Set: c.Set, Source: source}
	} else {
		n.cpus = CPUs{State: Unknown}
	}
}

// Chain is what the levels from a cgroup up to the top visible cgroup say
// together. The zero value is the empty chain. Add the own values of the
// levels in one direction; then read the effective values.
type Chain struct {
	memory, high, swap, pids lowest
	cpu                      lowestQuota
	cpuset                   nearest
	// memoryCut says, going Up, that a level's memory.use_hierarchy cut it
	// and every level above it off from the process: their memory limits
	// no longer count.
	memoryCut bool
	// stat is the v1 memory.stat of a level whose limits bind the
	// process: going Up the process's own cgroup, going Down the top,
	// dropped at a cut.
	stat    own.Stat
	hasStat bool
}

// Add adds the own values of one level, whose cgroup path is source. Going
// Up, a level's memory.use_hierarchy (asked for above the process's own
// cgroup) that reads 0 or cannot be read ends the memory limits' walk: that
// level's memory limits and those above it do not bind the process
// (Documentation/admin-guide/cgroup-v1/memory.rst, 6. Hierarchy support).
func (c *Chain) Add(v *own.Values, source string, dir Direction) {
	if dir == Up && !c.memoryCut && !BindsDescendants(v.UseHierarchy) {
		c.memoryCut = true
		if v.UseHierarchy.Status.Failed() {
			c.memory.broken, c.swap.broken = true, true
		}
	}
	if dir == Down || !c.memoryCut {
		c.memory.add(v.MemoryLimit, source, dir)
		c.swap.add(v.Swap, source, dir)
	}
	if v.MemoryStat.Status == own.Set && (dir == Down || !c.hasStat) {
		c.stat, c.hasStat = v.MemoryStat, true
	}
	c.high.add(v.MemoryHigh, source, dir)
	c.cpu.add(v.CPUQuota, source, dir)
	c.cpuset.add(v.CPUSet, source, dir)
	c.pids.add(v.Pids, source, dir)
}

// Below returns the chain the children of the last level added (going Down)
// inherit: the same, except that where that level's memory.use_hierarchy
// reads 0 its memory limits and those above it do not reach them, and where
// it cannot be read the children's memory limits are unknown.
func (c Chain) Below(v *own.Values) Chain {
	if !BindsDescendants(v.UseHierarchy) {
		broken := v.UseHierarchy.Status.Failed()
		c.memory, c.swap = lowest{broken: broken}, lowest{broken: broken}
		c.stat, c.hasStat = own.Stat{}, false
	}
	return c
}

// BindsDescendants reads a level's v1 memory.use_hierarchy: whether its
// memory limits (and those above it) bind its descendants. Absent, or not
// read, they do, as on kernels where it is always on; a file that could not
// be read or parsed cuts them off too, and Chain makes the descendants'
// memory limits unknown then.
func BindsDescendants(f own.Flag) bool {
	switch {
	case f.Status.Failed():
		return false
	case f.Status == own.Set:
		return f.On
	}
	return true
}

// Unbound reports whether a v1 memory.stat shows that no level binding its
// cgroup limits memory (nor, with swap, memory plus swap):
// hierarchical_memory_limit is the kernel's own minimum over exactly those
// levels, hidden ones included, so reading them cannot change the answer.
func Unbound(s own.Stat, swap bool) bool {
	l := s.Limits
	return s.Status == own.Set && l.HasHierarchicalMemoryLimit && cgv1.IsUnlimited(l.HierarchicalMemoryLimit) &&
		(!swap || !l.HasHierarchicalMemswLimit || cgv1.IsUnlimited(l.HierarchicalMemswLimit))
}

// MemoryCut reports whether, going Up, the memory limits' walk has ended: a
// level's memory.use_hierarchy cut the levels above off.
func (c *Chain) MemoryCut() bool { return c.memoryCut }

// CPUSetDecided reports whether a level has decided the cpuset; going Up,
// the levels above need not be read for it.
func (c *Chain) CPUSetDecided() bool { return c.cpuset.decided }

// Memory is the effective hard memory limit (v2 memory.max, v1
// memory.limit_in_bytes or the memory.stat hierarchical_memory_limit when
// lower). enabled says the memory controller is enabled for the cgroup.
func (c *Chain) Memory(enabled bool) Bytes {
	l := c.stat.Limits
	return withHierarchical(c.memory.result(enabled), c.hasStat && l.HasHierarchicalMemoryLimit,
		l.HierarchicalMemoryLimit, SourceHierarchicalMemoryLimit)
}

// High is the effective v2 memory.high.
func (c *Chain) High(enabled bool) Bytes { return c.high.result(enabled) }

// Swap is the effective v2 memory.swap.max, or v1
// memory.memsw.limit_in_bytes (memory plus swap, or the memory.stat
// hierarchical_memsw_limit when lower). enabled says the controller is
// enabled; a v1 memory.stat with hierarchical_memsw_limit shows swap
// accounting, so its value is known even where no level was read.
func (c *Chain) Swap(enabled bool) Bytes {
	l := c.stat.Limits
	hasMemsw := c.hasStat && l.HasHierarchicalMemswLimit
	return withHierarchical(c.swap.result(enabled || hasMemsw), hasMemsw, l.HierarchicalMemswLimit, SourceHierarchicalMemswLimit)
}

// CPU is the effective CPU bandwidth limit (v2 cpu.max, v1 cpu.cfs_quota_us
// over cpu.cfs_period_us).
func (c *Chain) CPU(enabled bool) Quota { return c.cpu.result(enabled) }

// CPUSet is the cpuset of the nearest level that has one; Unknown when no
// level has one or that level's could not be read.
func (c *Chain) CPUSet() CPUs { return c.cpuset.cpus }

// Pids is the effective pids.max.
func (c *Chain) Pids(enabled bool) Bytes { return c.pids.result(enabled) }

// Undecided reports which effective values depend on whether their
// controller is enabled, because no level had their file: only then does v2
// cgroup.controllers need reading.
func (c *Chain) Undecided() (memory, cpu, pids bool) {
	return c.memory.undecided() || c.high.undecided(), c.cpu.undecided(), c.pids.undecided()
}
