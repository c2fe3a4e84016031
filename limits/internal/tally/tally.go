// Package tally turns the memory event and CPU throttling files that
// package own reads into counters, one rule for limits (the usage of one
// cgroup) and limits/node (every cgroup's own counters), and reads a
// cgroup's own memory.events.local.
//
// It is a package of its own, not part of own: a program that imports only
// the setters links package own, and every function added there, linked or
// not, moves that program's debug information.
package tally

import (
	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/limits/internal/own"
	cgv2 "github.com/truelimit/truelimit/v2"
)

// Counter is one counter of a usage file: Known when the file was read and
// parsed and had it.
type Counter struct {
	Value uint64
	Known bool
}

func counter(s own.Status, v uint64, has bool) Counter {
	return Counter{Value: v, Known: s == own.Set && has}
}

// MemoryEvents are the memory events own read into v (own.Events, or
// ReadLocalEvents): v2 high, max, oom and oom_kill; v1 memory.failcnt as max
// and memory.oom_control's oom_kill (4.13+), v1 having no high or oom
// counter.
func MemoryEvents(v *own.UsageValues) (high, max, oom, oomKill Counter) {
	if v.Version == cgroup.V2 {
		e, s := v.Events.Counts, v.Events.Status
		return counter(s, e.High, e.HasHigh), counter(s, e.Max, e.HasMax), counter(s, e.OOM, e.HasOOM), counter(s, e.OOMKill, e.HasOOMKill)
	}
	return Counter{}, Counter{Value: v.Failcnt.Value, Known: v.Failcnt.Status == own.Set}, Counter{},
		counter(v.OOMControl.Status, v.OOMControl.OOMKill, v.OOMControl.Has)
}

// Throttling are the bandwidth counters of the cpu.stat own read into v
// (own.CPUCounters): nr_periods, nr_throttled and the throttled time in
// microseconds (v2 throttled_usec, v1 throttled_time in nanoseconds divided
// by 1000).
func Throttling(v *own.UsageValues) (periods, throttled, throttledUsec Counter) {
	s := v.CPUStat
	if v.Version == cgroup.V2 {
		return counter(s.Status, s.V2.NrPeriods, s.V2.HasPeriods), counter(s.Status, s.V2.NrThrottled, s.V2.HasThrottled),
			counter(s.Status, s.V2.ThrottledUsec, s.V2.HasThrottledUsec)
	}
	return counter(s.Status, s.V1.NrPeriods, s.V1.HasPeriods), counter(s.Status, s.V1.NrThrottled, s.V1.HasThrottled),
		counter(s.Status, s.V1.ThrottledTimeNs/1000, s.V1.HasThrottledTime)
}

// ReadLocalEvents reads the memory events of the cgroup d alone into v:
// v2 memory.events.local (Linux 5.2+), not memory.events, which counts the
// descendants' events too; v1 memory.failcnt and memory.oom_control, as
// own.Events reads them, whose counters count in one cgroup only. It reads
// through r as own.Events does, with memory.events.local in the place of
// memory.events; v.Events.File names it. (A parse error still calls its
// keys "memory.events <key>": the file it names comes first.)
func ReadLocalEvents(r *own.Reader, d own.Dir, version cgroup.Version, v *own.UsageValues) {
	if version == cgroup.V2 {
		d = localDir{d}
	}
	r.ReadUsage(d, version, own.Events, v)
	if version == cgroup.V2 {
		v.Events.File = memoryEventsLocal
	}
}

// memoryEventsLocal has the keys of memory.events counted in the cgroup
// alone (Documentation/admin-guide/cgroup-v2.rst).
const memoryEventsLocal = "memory.events.local"

// localDir reads memory.events.local when asked for memory.events.
type localDir struct{ own.Dir }

func (l localDir) ReadFile(name string, buf []byte) ([]byte, error) {
	if name == cgv2.MemoryEvents {
		name = memoryEventsLocal
	}
	return l.Dir.ReadFile(name, buf)
}
