package parse

import "math"

// maxKeyword is how cgroup v2 files such as memory.max, memory.high and
// pids.max spell "no limit" (Documentation/admin-guide/cgroup-v2.rst).
const maxKeyword = "max"

// Uint parses a decimal unsigned integer such as the content of
// memory.current or memory.limit_in_bytes. Surrounding white space (the
// kernel's trailing newline) is ignored. An empty or non-decimal input is
// ErrSyntax; a value above math.MaxUint64 is ErrRange.
func Uint(b []byte) (uint64, error) {
	t := TrimSpace(b)
	v, err := Digits(t)
	if err != nil {
		return 0, NewError("unsigned integer", t, err)
	}
	return v, nil
}

// Int parses a decimal integer with an optional leading '-', such as
// cpu.cfs_quota_us, which reads -1 when no quota is set
// (Documentation/scheduler/sched-bwc.rst). Surrounding white space is ignored.
// A value outside the int64 range is ErrRange.
func Int(b []byte) (int64, error) {
	t := TrimSpace(b)
	neg := len(t) > 0 && t[0] == '-'
	num := t
	if neg {
		num = t[1:]
	}
	u, err := Digits(num)
	if err == nil {
		switch {
		case !neg && u <= math.MaxInt64:
			return int64(u), nil
		case neg && u <= math.MaxInt64:
			return -int64(u), nil
		case neg && u == math.MaxInt64+1:
			return math.MinInt64, nil
		}
		err = ErrRange
	}
	return 0, NewError("integer", t, err)
}

// Max parses the cgroup v2 limit format used by memory.max, memory.high,
// memory.low, memory.min, memory.swap.max and pids.max: either the keyword
// "max" (no limit) or a decimal number. For "max" it returns
// v == math.MaxUint64 and unlimited == true, so a minimum over several levels
// works even before the flag is consulted.
func Max(b []byte) (v uint64, unlimited bool, err error) {
	t := TrimSpace(b)
	if string(t) == maxKeyword {
		return math.MaxUint64, true, nil
	}
	v, err = Digits(t)
	if err != nil {
		return 0, false, NewError(`"max" or unsigned integer`, t, err)
	}
	return v, false, nil
}

// Digits parses b, which must consist only of ASCII digits, as a decimal
// uint64: ErrSyntax for anything else or nothing, ErrRange above the
// uint64 range. It is the one decimal reader of the module's parsers and
// returns a bare sentinel so callers can build their own *Error.
func Digits(b []byte) (uint64, error) {
	if len(b) == 0 {
		return 0, ErrSyntax
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, ErrSyntax
		}
		d := uint64(c - '0')
		if v > math.MaxUint64/10 || (v == math.MaxUint64/10 && d > math.MaxUint64%10) {
			return 0, ErrRange
		}
		v = v*10 + d
	}
	return v, nil
}
