package v2

import "github.com/truelimit/truelimit/internal/parse"

// cpuStatKeys are the keys of cpu.stat
// (Documentation/admin-guide/cgroup-v2.rst, "cpu.stat") in the order of
// CPUStatCounters' fields: ParseCPUStat indexes them by position.
var cpuStatKeys = [...]string{"usage_usec", "nr_periods", "nr_throttled", "throttled_usec"}

// CPUStatCounters holds the CPU usage and bandwidth throttling counters of a
// v2 cpu.stat, as printed, each with whether its line was present. (The
// name CPUStat is taken by the file name constant.)
type CPUStatCounters struct {
	// UsageUsec is the CPU time used by the cgroup and its descendants, in
	// microseconds. cpu.stat always has it, even without the cpu
	// controller.
	UsageUsec uint64
	// NrPeriods is the number of CFS bandwidth enforcement intervals that
	// have elapsed; present only with the cpu controller enabled.
	NrPeriods uint64
	// NrThrottled is how many of those periods ended with the cgroup
	// throttled, its cpu.max quota used up.
	NrThrottled uint64
	// ThrottledUsec is the total time the cgroup's tasks spent throttled,
	// in microseconds.
	ThrottledUsec uint64

	// HasUsage and the others are true when that key's line was present.
	HasUsage, HasPeriods, HasThrottled, HasThrottledUsec bool
}

// ParseCPUStat extracts usage_usec, nr_periods, nr_throttled and
// throttled_usec from a v2 cpu.stat, a flat keyed file
// (Documentation/admin-guide/cgroup-v2.rst, "cpu.stat";
// Documentation/scheduler/sched-bwc.rst, "Statistics"). Absent keys leave
// the Has fields false; other lines are not parsed; the first line with a
// key wins. An error means one of these lines is malformed and names it,
// e.g. "cpu.stat nr_throttled". It does not allocate.
func ParseCPUStat(b []byte) (CPUStatCounters, error) {
	var v [len(cpuStatKeys)]uint64
	found, err := parse.FlatKeyedAll(b, cpuStatKeys[:], v[:])
	// On error found and v are all zero, so the result is the zero value.
	return CPUStatCounters{
		UsageUsec: v[0], HasUsage: has(found, 0),
		NrPeriods: v[1], HasPeriods: has(found, 1),
		NrThrottled: v[2], HasThrottled: has(found, 2),
		ThrottledUsec: v[3], HasThrottledUsec: has(found, 3),
	}, parse.RelabelKey(err, CPUStat)
}
