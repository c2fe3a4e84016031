package v1

import "github.com/truelimit/truelimit/internal/parse"

// cpuStatKeys are the keys of cpu.stat (Documentation/scheduler/sched-bwc.rst,
// "Statistics") in the order of CPUStatCounters' fields: ParseCPUStat
// indexes them by position.
var cpuStatKeys = [...]string{"nr_periods", "nr_throttled", "throttled_time"}

// CPUStatCounters holds the CFS bandwidth throttling counters of a v1
// cpu.stat, as printed, each with whether its line was present. (The name
// CPUStat is taken by the file name constant.)
type CPUStatCounters struct {
	// NrPeriods is the number of enforcement intervals that have elapsed.
	NrPeriods uint64
	// NrThrottled is the number of times the group was throttled, its
	// cpu.cfs_quota_us used up.
	NrThrottled uint64
	// ThrottledTimeNs is the total time the group's entities spent
	// throttled, in nanoseconds.
	ThrottledTimeNs uint64

	// HasPeriods and the others are true when that key's line was present.
	HasPeriods, HasThrottled, HasThrottledTime bool
}

// ParseCPUStat extracts nr_periods, nr_throttled and throttled_time from a
// v1 cpu.stat, a flat keyed file (Documentation/scheduler/sched-bwc.rst,
// "Statistics"). Absent keys leave the Has fields false; other lines, such
// as nr_bursts and burst_time, are not parsed; the first line with a key
// wins. An error means one of these lines is malformed and names it, e.g.
// "cpu.stat throttled_time". It does not allocate.
func ParseCPUStat(b []byte) (CPUStatCounters, error) {
	var v [len(cpuStatKeys)]uint64
	found, err := parse.FlatKeyedAll(b, cpuStatKeys[:], v[:])
	// On error found and v are all zero, so the result is the zero value.
	return CPUStatCounters{
		NrPeriods: v[0], HasPeriods: has(found, 0),
		NrThrottled: v[1], HasThrottled: has(found, 1),
		ThrottledTimeNs: v[2], HasThrottledTime: has(found, 2),
	}, parse.RelabelKey(err, CPUStat)
}
