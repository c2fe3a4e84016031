package v2

import (
	"math"

	"github.com/truelimit/truelimit/internal/parse"
)

// CFS bandwidth bounds enforced by the kernel when cpu.max is written
// (kernel/sched/core.c, tg_set_cfs_bandwidth: min_cfs_quota_period is 1ms,
// max_cfs_quota_period 1s; Documentation/scheduler/sched-bwc.rst). A file
// holding anything outside them was not written by the kernel.
const (
	// defaultCPUPeriod is the period in microseconds the kernel uses when
	// cpu.max is written with a quota alone, and its default.
	defaultCPUPeriod uint64 = 100000
	minCPUPeriod     uint64 = 1000
	maxCPUPeriod     uint64 = 1000000
	minCPUQuota      uint64 = 1000
)

// cpu.weight bounds (Documentation/admin-guide/cgroup-v2.rst, "cpu.weight ...
// in the range [1, 10000]").
const (
	minCPUWeight uint64 = 1
	maxCPUWeight uint64 = 10000
)

// ParseCPUMax parses cpu.max, "$MAX $PERIOD" in microseconds, e.g.
// "max 100000" (no limit) or "50000 100000" (half a CPU)
// (Documentation/admin-guide/cgroup-v2.rst, "cpu.max"). A lone "max" or a lone
// quota means the default period of 100000, as when the file is written that
// way. For "max" quota is math.MaxUint64 and unlimited is true.
//
// The period must lie in 1000..1000000 and a quota must be at least 1000, the
// bounds the kernel enforces; anything else (including a zero period, which
// would divide by zero downstream) is cgroup.ErrRange.
func ParseCPUMax(b []byte) (quota, period uint64, unlimited bool, err error) {
	t := parse.TrimSpace(b)
	quotaField, periodField := splitTwo(t)
	period = defaultCPUPeriod
	if periodField != nil {
		period, err = parse.Uint(periodField)
		if err != nil {
			return 0, 0, false, parse.Relabel(err, CPUMax)
		}
		if period < minCPUPeriod || period > maxCPUPeriod {
			return 0, 0, false, parse.NewError(CPUMax, t, parse.ErrRange)
		}
	}
	if string(quotaField) == "max" {
		return math.MaxUint64, period, true, nil
	}
	quota, err = parse.Uint(quotaField)
	if err != nil {
		return 0, 0, false, parse.Relabel(err, CPUMax)
	}
	if quota < minCPUQuota {
		return 0, 0, false, parse.NewError(CPUMax, t, parse.ErrRange)
	}
	return quota, period, false, nil
}

// splitTwo splits t at its first run of blanks. second is nil when t has a
// single field; a third field stays inside second, where number parsing
// rejects it.
func splitTwo(t []byte) (first, second []byte) {
	for i, c := range t {
		if c == ' ' || c == '\t' {
			return t[:i], parse.TrimSpace(t[i:])
		}
	}
	return t, nil
}

// ParseCPUWeight parses cpu.weight, the cgroup's proportional share of CPU
// time, 1..10000 with 100 the default (Documentation/admin-guide/cgroup-v2.rst).
// A value outside that range is cgroup.ErrRange.
func ParseCPUWeight(b []byte) (uint64, error) {
	v, err := parse.Uint(b)
	if err != nil {
		return 0, parse.Relabel(err, CPUWeight)
	}
	if v < minCPUWeight || v > maxCPUWeight {
		return 0, parse.NewError(CPUWeight, parse.TrimSpace(b), parse.ErrRange)
	}
	return v, nil
}
