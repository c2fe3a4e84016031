package v1

import "github.com/truelimit/truelimit/internal/parse"

// ParsePidsMax parses pids.max, the limit on the number of tasks in the
// cgroup, either a number or "max" for none
// (Documentation/admin-guide/cgroup-v1/pids.rst). For "max" it returns
// unlimited == true and v == math.MaxUint64.
func ParsePidsMax(b []byte) (v uint64, unlimited bool, err error) {
	v, unlimited, err = parse.Max(b)
	return v, unlimited, parse.Relabel(err, PidsMax)
}
