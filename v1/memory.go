package v1

import (
	"math"

	"github.com/truelimit/truelimit/internal/parse"
)

// unlimitedThreshold is the smallest value that means "no limit" in a v1
// memory limit file: 9223372036854775807 rounded down to 64 KiB pages.
const unlimitedThreshold uint64 = 9223372036854710272

// IsUnlimited reports whether v, read from a v1 memory limit file or from
// memory.stat's hierarchical_memory_limit / hierarchical_memsw_limit, means
// "no limit". The kernel stores "no limit" as PAGE_COUNTER_MAX pages and
// prints it in bytes, LONG_MAX rounded down to the page size:
// 9223372036854771712 with 4 KiB pages, 9223372036854759424 with 16 KiB and
// 9223372036854710272 with 64 KiB pages; kernels before 3.19 printed LONG_MAX
// itself (9223372036854775807). Any value at or above 9223372036854710272
// means unlimited, on every page size.
func IsUnlimited(v uint64) bool {
	return v >= unlimitedThreshold
}

// limitInBytes names the family of files ParseLimitInBytes parses.
const limitInBytes = "memory.*limit_in_bytes"

// ParseLimitInBytes parses memory.limit_in_bytes, memory.soft_limit_in_bytes,
// memory.memsw.limit_in_bytes or memory.kmem.limit_in_bytes
// (Documentation/admin-guide/cgroup-v1/memory.rst). A value IsUnlimited
// reports as unlimited, or "-1" (how the limit is removed when written),
// gives unlimited == true and v == math.MaxUint64, so taking a minimum over
// levels works before the flag is looked at. Other negative numbers are
// cgroup.ErrRange.
func ParseLimitInBytes(b []byte) (v uint64, unlimited bool, err error) {
	t := parse.TrimSpace(b)
	if len(t) > 0 && t[0] == '-' {
		n, err := parse.Int(t)
		if err != nil {
			return 0, false, parse.Relabel(err, limitInBytes)
		}
		if n != -1 {
			return 0, false, parse.NewError(limitInBytes, t, parse.ErrRange)
		}
		return math.MaxUint64, true, nil
	}
	v, err = parse.Uint(t)
	if err != nil {
		return 0, false, parse.Relabel(err, limitInBytes)
	}
	if IsUnlimited(v) {
		return math.MaxUint64, true, nil
	}
	return v, false, nil
}

// ParseUseHierarchy parses memory.use_hierarchy: "1" when the cgroup's limits
// are charged hierarchically so that they bind its descendants, "0" when not
// (Documentation/admin-guide/cgroup-v1/memory.rst, "Hierarchical support").
// Any other number is cgroup.ErrRange.
func ParseUseHierarchy(b []byte) (bool, error) {
	v, err := parse.Uint(b)
	if err != nil {
		return false, parse.Relabel(err, MemoryUseHierarchy)
	}
	set, err := flag(v, b)
	return set, parse.Relabel(err, MemoryUseHierarchy)
}

// flag converts a 0/1 value into a bool; anything else is cgroup.ErrRange
// quoting b. Callers relabel the error with their file name.
func flag(v uint64, b []byte) (bool, error) {
	switch v {
	case 0:
		return false, nil
	case 1:
		return true, nil
	}
	return false, parse.NewError("flag", parse.TrimSpace(b), parse.ErrRange)
}

// ParseUint parses a v1 file holding one unsigned decimal number, such as
// memory.kmem.usage_in_bytes or memory.failcnt.
func ParseUint(b []byte) (uint64, error) {
	return parse.Uint(b)
}
