package node

import (
	"math/bits"

	"github.com/truelimit/truelimit/limits"
	v1 "github.com/truelimit/truelimit/v1"
)

// chainBytes is the lowest byte or count limit on the walk from a cgroup up to
// the top visible cgroup, kept as limits.ForCgroup keeps it on its bottom-up
// walk, so that both give the same state and source.
type chainBytes struct {
	limited bool
	seen    bool // some level has the file
	broken  bool // some level's file could not be read or parsed
	value   uint64
	source  string
}

// add puts a cgroup's own value below the chain inherited from its parent.
// The cgroup is closer to its processes than every level already in the
// chain, so it wins a tie. present says the cgroup has the file.
func (c *chainBytes) add(own limits.Bytes, present bool) {
	switch {
	case own.State == limits.Unknown:
		c.broken = true
	case !present:
	case own.State == limits.Limited && (!c.limited || own.Bytes <= c.value):
		c.seen, c.limited, c.value, c.source = true, true, own.Bytes, own.Source
	default:
		c.seen = true
	}
}

// undecided reports whether result depends on enabled: no level had the file.
func (c *chainBytes) undecided() bool { return !c.broken && !c.limited && !c.seen }

// result is the effective value. A chain on which no level had the file is
// unlimited when the controller is enabled for the cgroup (the root cgroup
// has no limit files) and unknown otherwise.
func (c *chainBytes) result(enabled bool) limits.Bytes {
	switch {
	case c.broken:
		return limits.Bytes{State: limits.Unknown}
	case c.limited:
		return limits.Bytes{State: limits.Limited, Bytes: c.value, Source: c.source}
	case c.seen || enabled:
		return limits.Bytes{State: limits.Unlimited}
	}
	return limits.Bytes{State: limits.Unknown}
}

// withHierarchical lets the v1 kernel's hierarchical_memory_limit, which sees
// ancestors above the top visible cgroup, win when it is strictly lower than
// everything visible, as limits.ForCgroup lets the leaf's memory.stat win.
func withHierarchical(b limits.Bytes, hierarchical uint64) limits.Bytes {
	if b.State == limits.Unknown || v1.IsUnlimited(hierarchical) || (b.State == limits.Limited && hierarchical >= b.Bytes) {
		return b
	}
	return limits.Bytes{State: limits.Limited, Bytes: hierarchical, Source: limits.SourceHierarchicalMemoryLimit}
}

// count turns a pids chain result into a limits.Count.
func count(b limits.Bytes) limits.Count {
	return limits.Count{State: b.State, Value: b.Bytes, Source: b.Source}
}

// chainQuota is the lowest CPU bandwidth (quota/period) on the walk.
type chainQuota struct {
	limited bool
	seen    bool
	broken  bool
	quota   uint64
	period  uint64
	source  string
}

// add is chainBytes.add for a quota: the own value wins a tie of ratios.
func (c *chainQuota) add(own limits.CPULimit, present bool) {
	switch {
	case own.State == limits.Unknown:
		c.broken = true
	case !present:
	case own.State == limits.Limited && (!c.limited || !ratioLess(c.quota, c.period, own.Quota, own.Period)):
		c.seen, c.limited, c.quota, c.period, c.source = true, true, own.Quota, own.Period, own.Source
	default:
		c.seen = true
	}
}

func (c *chainQuota) undecided() bool { return !c.broken && !c.limited && !c.seen }

func (c *chainQuota) result(enabled bool) limits.CPULimit {
	switch {
	case c.broken:
		return limits.CPULimit{State: limits.Unknown}
	case c.limited:
		return limits.CPULimit{State: limits.Limited, Quota: c.quota, Period: c.period, Source: c.source}
	case c.seen || enabled:
		return limits.CPULimit{State: limits.Unlimited}
	}
	return limits.CPULimit{State: limits.Unknown}
}

// ratioLess reports whether q1/p1 < q2/p2, exactly: q1*p2 < q2*p1 in 128 bits.
func ratioLess(q1, p1, q2, p2 uint64) bool {
	hi1, lo1 := bits.Mul64(q1, p2)
	hi2, lo2 := bits.Mul64(q2, p1)
	return hi1 < hi2 || (hi1 == hi2 && lo1 < lo2)
}

// chain is everything a cgroup passes down to its children: the walk from it
// up to the top visible cgroup, summarised.
type chain struct {
	memory, high, pids chainBytes
	cpu                chainQuota
	// cpuset is the nearest level that has a cpuset file; its State is
	// Unknown until one is found, or when that file was unreadable.
	cpuset limits.CPUSet
	// reachesTop says, on v1, that memory.use_hierarchy lets the limits of
	// every level up to the top visible cgroup bind this one, so that the
	// top's hierarchical_memory_limit applies to it too.
	reachesTop bool
}
