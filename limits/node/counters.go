package node

import (
	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/internal/own"
	"github.com/truelimit/truelimit/limits/internal/tally"
)

// CgroupCounters are a cgroup's own event counters (WithCounters): the
// events at its own limits and of its own processes, never its
// descendants', so that a sum over a tree counts each event once. The kernel
// counts from the cgroup's creation; a cgroup created anew starts again at 0.
type CgroupCounters struct {
	// High, Max, OOM and OOMKill are v2 memory.events.local's high, max,
	// oom and oom_kill (Linux 5.2+): the times the cgroup's own memory.high
	// throttled it, its own memory.max was about to be exceeded or ran
	// out, and the processes of this cgroup the OOM killer killed (charged
	// to the victim's cgroup, whichever limit was hit). Unknown where the
	// kernel has only the hierarchical memory.events, which is not read.
	// v1: Max is memory.failcnt, the charges its own limit failed, and
	// OOMKill memory.oom_control's oom_kill (4.13+); v1 counts each event
	// in one cgroup only, and has no high or oom counter (Unknown).
	High, Max, OOM, OOMKill limits.Count
	// Periods, ThrottledPeriods and ThrottledUsec are cpu.stat's
	// nr_periods, nr_throttled and throttled_usec (v1 throttled_time in
	// nanoseconds, divided by 1000): the enforcement of the cgroup's own
	// CPU bandwidth limit. Unknown where cpu.stat has no such lines (v2
	// without the cpu controller).
	Periods, ThrottledPeriods, ThrottledUsec limits.Count
}

// readCounters reads the counters of the cgroup being read, s.cur, in the
// hierarchy's controllers: v2 memory.events.local (v1 memory.failcnt and
// memory.oom_control) in the memory hierarchy, cpu.stat in the cpu one. A
// file that cannot be read or parsed adds a diagnostic; an absent one is
// unknown without one.
func (s *scanner) readCounters() CgroupCounters {
	var v own.UsageValues
	var c CgroupCounters
	memory, cpu := s.h.ctl&memoryCtl != 0, s.h.ctl&cpuCtl != 0
	if memory {
		tally.ReadLocalEvents(s.own, s, s.h.loc.Version, &v)
	}
	if cpu {
		s.own.ReadUsage(s, s.h.loc.Version, own.CPUCounters, &v)
	}
	if v.Failed() {
		v.Problems(pathOrSlash(s.absDir), s.report)
	}
	if memory {
		high, max, oom, kills := tally.MemoryEvents(&v)
		c.High, c.Max, c.OOM, c.OOMKill = count(high), count(max), count(oom), count(kills)
	}
	if cpu {
		periods, throttled, usec := tally.Throttling(&v)
		c.Periods, c.ThrottledPeriods, c.ThrottledUsec = count(periods), count(throttled), count(usec)
	}
	return c
}

func count(c tally.Counter) limits.Count { return limits.Count{Value: c.Value, Known: c.Known} }

// take copies into c the counters of the controllers in ctl from from, the
// same cgroup's in another hierarchy (v1), and returns c; from itself when c
// is nil.
func (c *CgroupCounters) take(from *CgroupCounters, ctl controllers) *CgroupCounters {
	if c == nil {
		return from
	}
	if ctl&memoryCtl != 0 {
		c.High, c.Max, c.OOM, c.OOMKill = from.High, from.Max, from.OOM, from.OOMKill
	}
	if ctl&cpuCtl != 0 {
		c.Periods, c.ThrottledPeriods, c.ThrottledUsec = from.Periods, from.ThrottledPeriods, from.ThrottledUsec
	}
	return c
}

// fillCounters gives every cgroup that has none (no hierarchy with memory
// or cpu holds it) unknown counters, so that with WithCounters each has
// them.
func (t *Tree) fillCounters() {
	var b blocks[CgroupCounters]
	for i := range t.Cgroups {
		if cg := &t.Cgroups[i]; cg.Counters == nil {
			cg.Counters = b.add(CgroupCounters{})
		}
	}
}
