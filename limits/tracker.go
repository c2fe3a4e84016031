package limits

import "math/bits"

// minBytes keeps the lowest limit offered on a walk, leaf first, so that on a
// tie the cgroup closest to the process stays the source.
type minBytes struct {
	limited bool
	seen    bool // some level had the file
	broken  bool // some level's file could not be read or parsed
	value   uint64
	source  string
}

func (m *minBytes) offer(value uint64, unlimited bool, source string) {
	m.seen = true
	if unlimited {
		return
	}
	if !m.limited || value < m.value {
		m.limited, m.value, m.source = true, value, source
	}
}

// result turns the walk into a Bytes. A walk on which no level had the file
// is unlimited when the controller is enabled (the root cgroup has no limit
// files) and unknown otherwise.
func (m *minBytes) result(enabled bool) Bytes {
	switch {
	case m.broken:
		return Bytes{State: Unknown}
	case m.limited:
		return Bytes{State: Limited, Bytes: m.value, Source: m.source}
	case m.seen || enabled:
		return Bytes{State: Unlimited}
	}
	return Bytes{State: Unknown}
}

// minQuota keeps the lowest quota/period ratio offered on a walk, leaf first.
type minQuota struct {
	limited bool
	seen    bool
	broken  bool
	quota   uint64
	period  uint64
	source  string
}

func (m *minQuota) offer(quota, period uint64, unlimited bool, source string) {
	m.seen = true
	if unlimited || period == 0 {
		return
	}
	if !m.limited || ratioLess(quota, period, m.quota, m.period) {
		m.limited, m.quota, m.period, m.source = true, quota, period, source
	}
}

func (m *minQuota) result(enabled bool) CPULimit {
	switch {
	case m.broken:
		return CPULimit{State: Unknown}
	case m.limited:
		return CPULimit{State: Limited, Quota: m.quota, Period: m.period, Source: m.source}
	case m.seen || enabled:
		return CPULimit{State: Unlimited}
	}
	return CPULimit{State: Unknown}
}

// ratioLess reports whether q1/p1 < q2/p2, exactly: q1*p2 < q2*p1 in 128 bits.
func ratioLess(q1, p1, q2, p2 uint64) bool {
	hi1, lo1 := bits.Mul64(q1, p2)
	hi2, lo2 := bits.Mul64(q2, p1)
	return hi1 < hi2 || (hi1 == hi2 && lo1 < lo2)
}
