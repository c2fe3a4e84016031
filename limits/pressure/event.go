package pressure

import (
	"strings"
	"time"
)

// Kind is what an Event says happened.
type Kind uint8

// The kinds of events.
const (
	// KindPressure: tasks of the cgroup stalled on memory for more than
	// the threshold within the window (a PSI trigger, systemd's protocol,
	// the PSI totals polled), or v1 reported a pressure level.
	KindPressure Kind = iota + 1
	// KindHigh: memory.events high grew: the cgroup went over memory.high
	// and was throttled and reclaimed.
	KindHigh
	// KindMax: memory.events max (v1 memory.failcnt) grew: a charge hit the
	// hard limit and reclaim ran.
	KindMax
	// KindOOM: memory.events oom grew (v1: memory.oom_control signalled):
	// the limit was reached and reclaim failed.
	KindOOM
	// KindOOMKill: memory.events oom_kill (v1 memory.oom_control oom_kill)
	// grew: the OOM killer ended a process of the cgroup.
	KindOOMKill
	// KindLowHeadroom: the headroom fell below the threshold.
	KindLowHeadroom
)

var kindNames = [...]string{"", "pressure", "high", "max", "oom", "oom_kill", "low-headroom"}

// String returns the kind's name: "pressure", "high", "max", "oom",
// "oom_kill" or "low-headroom".
func (k Kind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return "unknown"
}

// Source is where an event came from. Sources are bits, so that WithSources
// can name a set of them.
type Source uint16

// The sources, best first.
const (
	// SourceSystemd: the path in $MEMORY_PRESSURE_WATCH.
	SourceSystemd Source = 1 << iota
	// SourceTrigger: a PSI trigger on a memory.pressure file.
	SourceTrigger
	// SourceV1Level: a v1 memory.pressure_level notification
	// (cgroup.event_control with an eventfd).
	SourceV1Level
	// SourceInotify: inotify on a v2 memory.events file.
	SourceInotify
	// SourceV1OOM: a v1 memory.oom_control notification
	// (cgroup.event_control with an eventfd).
	SourceV1OOM
	// SourcePSIPoll: memory.pressure's some total, read at an interval.
	SourcePSIPoll
	// SourceCounterPoll: the counters (memory.events, v1 memory.failcnt and
	// memory.oom_control), read at an interval.
	SourceCounterPoll
	// SourceHeadroomPoll: the headroom, read at an interval.
	SourceHeadroomPoll

	// AllSources is every source.
	AllSources = SourceSystemd | SourceTrigger | SourceV1Level | SourceInotify | SourceV1OOM |
		SourcePSIPoll | SourceCounterPoll | SourceHeadroomPoll
)

var sourceNames = [...]string{"systemd", "psi-trigger", "v1-pressure-level", "inotify", "v1-oom-eventfd",
	"psi-poll", "counter-poll", "headroom-poll"}

// String returns the source's name ("systemd", "psi-trigger",
// "v1-pressure-level", "inotify", "v1-oom-eventfd", "psi-poll",
// "counter-poll", "headroom-poll"), or the names of a set joined with "|".
func (s Source) String() string {
	var names []string
	for i, n := range sourceNames {
		if s&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, "|")
}

// Event is one thing the watcher saw.
type Event struct {
	Kind   Kind
	Source Source
	// Cgroup is the cgroup path (as /proc/self/cgroup writes it) the event
	// is about; empty for systemd's protocol, whose path is in File.
	Cgroup string
	// File is the file that signalled or was read.
	File string
	// How is how the source was set up, as Setup.How says it.
	How string
	// StallUsec is, for KindPressure from PSI, the growth of the some total
	// of the cgroup's memory.pressure since the previous pressure event of
	// the same file (since the watcher started, for the first); 0 where
	// the source gives no number (systemd's socket or FIFO, v1 levels).
	StallUsec uint64
	// Count is the counter's new value, Delta how much it grew since the
	// previous sample (high, max, oom, oom_kill); for v1 levels and OOM
	// notifications, how many the eventfd counted.
	Count, Delta uint64
	// HeadroomBytes and ThresholdBytes, for KindLowHeadroom; HeadroomBytes
	// is also set on the other events when the headroom is known.
	HeadroomBytes, ThresholdBytes uint64
	// Dropped is how many events were dropped before this one because the
	// channel was full.
	Dropped uint64
	Time    time.Time
}

// Setup is one source the watcher tried to set up: what it watches and
// how, or why it could not.
type Setup struct {
	Source Source
	// Active is true when the source is in use.
	Active bool
	Cgroup string
	File   string
	// How says how the source was set up ("trigger some 150000 2000000",
	// "window rounded up from 1s to 2s: no CAP_SYS_RESOURCE", "every 1s")
	// or, when not Active, why not.
	How string
}
