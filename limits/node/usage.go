package node

import (
	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/internal/effective"
	"github.com/truelimit/truelimit/limits/internal/own"
)

// room is the headroom a cgroup inherits from the levels above it and
// passes on to its children (WithUsage): the lowest limit_L - current_L
// over the levels of its chain whose hard memory limit is set, added top
// down, so that a level read later is closer and wins a tie, the rule
// limits.ForCgroupUsage applies walking up.
type room struct {
	known  bool // some level's limit is set and its usage known
	broken bool // some level's limit is set and its usage is not known
	bytes  uint64
	source string
}

// add offers the level at path, whose hard memory limit is limit and whose
// own usage is current.
func (r *room) add(limit, current own.Number, path string) {
	if limit.Status != own.Set {
		return
	}
	if current.Status != own.Set {
		r.broken = true
		return
	}
	b := limit.Value - min(limit.Value, current.Value)
	if !r.known || b <= r.bytes {
		r.known, r.bytes, r.source = true, b, path
	}
}

// headroom is the headroom of a cgroup whose chain is r, whose effective
// memory limit is eff and whose own usage is current. Where eff is v1's
// hierarchical_memory_limit (a level hidden above the top binds), that
// limit minus the cgroup's own usage is one more candidate, ranked
// farthest, as limits.ForCgroupUsage adds it: an upper bound.
func (r *room) headroom(eff limits.Limit, current own.Number) limits.Headroom {
	if eff.State != limits.Limited || r.broken {
		return limits.Headroom{}
	}
	h := limits.Headroom{Known: r.known, Bytes: r.bytes, Source: r.source}
	if eff.Source == limits.SourceHierarchicalMemoryLimit {
		if current.Status != own.Set {
			return limits.Headroom{}
		}
		if b := eff.Value - min(eff.Value, current.Value); !h.Known || b < h.Bytes {
			h = limits.Headroom{Known: true, Bytes: b, Source: limits.SourceHierarchicalMemoryLimit}
		}
	}
	if !h.Known {
		return limits.Headroom{}
	}
	return h
}

// below is the room the children of a level inherit: none where its v1
// memory.use_hierarchy cuts the limits of it and above off from them, as
// effective.Chain.Below cuts the memory limits.
func (r room) below(useHierarchy own.Flag) room {
	if !effective.BindsDescendants(useHierarchy) {
		return room{}
	}
	return r
}

// readCurrent reads the memory usage of the cgroup being read, s.cur: v2
// memory.current, v1 memory.usage_in_bytes. A file that cannot be read or
// parsed adds a diagnostic; an absent one is unknown without one.
func (s *scanner) readCurrent() own.Number {
	var v own.UsageValues
	s.own.ReadUsage(s, s.h.loc.Version, own.Current, &v)
	if v.Current.Status.Failed() {
		v.Problems(pathOrSlash(s.absDir), s.report)
	}
	return v.Current
}

// blocks hands out the per-cgroup values of a scan (a CgroupUsage, a
// CgroupCounters) from blocks, so that a cgroup's cost no allocation of
// their own.
type blocks[T any] struct{ free []T }

func (b *blocks[T]) add(v T) *T {
	if len(b.free) == 0 {
		b.free = make([]T, chunkSize)
	}
	p := &b.free[0]
	*p, b.free = v, b.free[1:]
	return p
}

// countOf is a usage file's number, known when it was read and parsed.
func countOf(n own.Number) limits.Count {
	return limits.Count{Value: n.Value, Known: n.Status == own.Set}
}

// fillUsage gives every cgroup that has none (no memory hierarchy holds
// it, or none was walked) an unknown usage, so that with WithUsage each
// has one.
func (t *Tree) fillUsage() {
	var u blocks[CgroupUsage]
	for i := range t.Cgroups {
		if cg := &t.Cgroups[i]; cg.Usage == nil {
			cg.Usage = u.add(CgroupUsage{})
		}
	}
}
