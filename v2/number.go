package v2

import "github.com/truelimit/truelimit/internal/parse"

// ParseMax parses the "max or a number" format of memory.max, memory.high,
// memory.low, memory.min, memory.swap.max and pids.max
// (Documentation/admin-guide/cgroup-v2.rst, "Conventions": limits read "max"
// when none is set). For "max" it returns unlimited == true and v == math.MaxUint64,
// so taking a minimum over levels works before the flag is looked at.
func ParseMax(b []byte) (v uint64, unlimited bool, err error) {
	return parse.Max(b)
}

// ParseUint parses a v2 file holding one unsigned decimal number, such as
// memory.current, memory.peak, memory.swap.current or pids.current
// (Documentation/admin-guide/cgroup-v2.rst).
func ParseUint(b []byte) (uint64, error) {
	return parse.Uint(b)
}
