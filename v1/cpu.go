package v1

import (
	"math"

	"github.com/truelimit/truelimit/internal/parse"
)

// CFS bandwidth bounds (Documentation/scheduler/sched-bwc.rst: "The minimum
// quota allowed for the quota or period is 1ms. There is also an upper bound
// on the period length of 1s."), in microseconds.
const (
	minCFSQuota  int64  = 1000
	minCFSPeriod uint64 = 1000
	maxCFSPeriod uint64 = 1000000
)

// cpu.shares bounds: the kernel clamps written values to MIN_SHARES (2) and
// MAX_SHARES (262144) in sched_group_set_shares, so the file never reads
// outside them.
const (
	minShares uint64 = 2
	maxShares uint64 = 262144
)

// ParseCFSQuota parses cpu.cfs_quota_us, the CPU time in microseconds the
// cgroup may use per period; -1 means no limit
// (Documentation/scheduler/sched-bwc.rst). For -1 it returns
// quota == math.MaxUint64 and unlimited == true. Zero, other negative values
// and quotas below the kernel's 1000 µs minimum are cgroup.ErrRange.
func ParseCFSQuota(b []byte) (quota uint64, unlimited bool, err error) {
	n, err := parse.Int(b)
	if err != nil {
		return 0, false, parse.Relabel(err, CPUCFSQuotaUs)
	}
	if n == -1 {
		return math.MaxUint64, true, nil
	}
	if n < minCFSQuota {
		return 0, false, parse.NewError(CPUCFSQuotaUs, parse.TrimSpace(b), parse.ErrRange)
	}
	return uint64(n), false, nil
}

// ParseCFSPeriod parses cpu.cfs_period_us, the CFS bandwidth period in
// microseconds (default 100000). Values outside the kernel's 1000..1000000
// are cgroup.ErrRange; in particular 0, which would divide by zero.
func ParseCFSPeriod(b []byte) (uint64, error) {
	v, err := parse.Uint(b)
	if err != nil {
		return 0, parse.Relabel(err, CPUCFSPeriodUs)
	}
	if v < minCFSPeriod || v > maxCFSPeriod {
		return 0, parse.NewError(CPUCFSPeriodUs, parse.TrimSpace(b), parse.ErrRange)
	}
	return v, nil
}

// ParseShares parses cpu.shares, the cgroup's relative CPU weight (default
// 1024; Documentation/scheduler/sched-design-CFS.rst). Values outside
// 2..262144, which the kernel clamps writes to, are cgroup.ErrRange.
func ParseShares(b []byte) (uint64, error) {
	v, err := parse.Uint(b)
	if err != nil {
		return 0, parse.Relabel(err, CPUShares)
	}
	if v < minShares || v > maxShares {
		return 0, parse.NewError(CPUShares, parse.TrimSpace(b), parse.ErrRange)
	}
	return v, nil
}
