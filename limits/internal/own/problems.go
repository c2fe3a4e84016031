package own

import (
	"strconv"
	"strings"

	cgv1 "github.com/truelimit/truelimit/v1"
	cgv2 "github.com/truelimit/truelimit/v2"
)

// The codes of the diagnostics Problems raises: the strings behind
// limits.CodeBadValue and limits.CodeReadError.
const (
	CodeBadValue  = "bad-value"
	CodeReadError = "read-error"
)

// Failed reports whether a file of v held a bad value, could not be read or
// is missing: whether Problems has anything to report.
func (v *Values) Failed() bool {
	failed := false
	v.each(func(_ string, s Status, _ error) { failed = failed || s.Failed() })
	return failed
}

// Problems calls report with a diagnostic code and sentence for every file of
// v that held a bad value, could not be read or is missing. dir is the
// cgroup's directory as messages name it (under the root). Only what reports
// diagnostics calls it, after reading.
func (v *Values) Problems(dir string, report func(code, msg string)) {
	v.each(func(file string, s Status, err error) { problem(dir, file, s, err, report) })
}

// each calls f with every file's name, status and error, in the order the
// diagnostics name them.
func (v *Values) each(f func(file string, s Status, err error)) {
	f(v.MemoryLimit.File, v.MemoryLimit.Status, v.MemoryLimit.Err)
	f(v.MemoryHigh.File, v.MemoryHigh.Status, v.MemoryHigh.Err)
	f(v.Swap.File, v.Swap.Status, v.Swap.Err)
	f(v.UseHierarchy.File, v.UseHierarchy.Status, v.UseHierarchy.Err)
	f(v.MemoryStat.File, v.MemoryStat.Status, v.MemoryStat.Err)
	f(v.KmemUsage.File, v.KmemUsage.Status, v.KmemUsage.Err)
	f(v.KmemLimit.File, v.KmemLimit.Status, v.KmemLimit.Err)
	f(v.CPUQuota.File, v.CPUQuota.Status, v.CPUQuota.Err)
	f(v.Weight.File, v.Weight.Status, v.Weight.Err)
	f(v.CPUSet.File, v.CPUSet.Status, v.CPUSet.Err)
	f(v.Pids.File, v.Pids.Status, v.Pids.Err)
	f(v.Controllers.File, v.Controllers.Status, v.Controllers.Err)
}

// problem reports one file that held a bad value, could not be read or is
// missing; other statuses report nothing.
func problem(dir, file string, status Status, err error, report func(code, msg string)) {
	switch status {
	case BadValue:
		report(CodeBadValue, dir+"/"+file+": "+err.Error()+"; the value it feeds is unknown")
	case ReadError:
		report(CodeReadError, "cannot read "+dir+"/"+file+": "+err.Error())
	case Missing:
		report(CodeReadError, missing(dir, file))
	}
}

// missing says what a missing file means: every cgroup of its kind has it.
func missing(dir, file string) string {
	switch file {
	case cgv2.Controllers:
		return dir + " has no " + file + ": the cgroup has vanished or is not a cgroup2 directory"
	case cgv1.CPUCFSPeriodUs:
		return dir + "/" + file + " is missing beside " + cgv1.CPUCFSQuotaUs
	}
	return dir + "/" + file + " is missing: the cgroup has vanished or is not a memory cgroup"
}

// Describe calls yield with the name and a one-line account of every file
// of v that was read, in a fixed order, for a report of the walk: the value
// as the kernel writes it ("max", a number, "50000 100000", a cpu list),
// "(absent)", "(missing)" or the error.
func (v *Values) Describe(yield func(file, text string)) {
	number := func(n Number, max string) {
		switch n.Status {
		case Unlimited:
			yield(n.File, max)
		case Set:
			yield(n.File, strconv.FormatUint(n.Value, 10))
		default:
			describe(n.File, n.Status, n.Err, yield)
		}
	}
	unlimited := "max"
	if v.Version == 1 {
		unlimited = "-1 (unlimited)"
	}
	if c := v.Controllers; c.Status == Set {
		var on []string
		for _, e := range [...]struct {
			name string
			on   bool
		}{{"memory", c.Memory}, {"cpu", c.CPU}, {"cpuset", c.CPUSet}, {"pids", c.Pids}} {
			if e.on {
				on = append(on, e.name)
			}
		}
		yield(c.File, strings.Join(on, " "))
	} else {
		describe(c.File, c.Status, c.Err, yield)
	}
	if s := v.MemoryStat; s.Status == Set {
		l := s.Limits
		var kept []string
		if l.HasHierarchicalMemoryLimit {
			kept = append(kept, "hierarchical_memory_limit "+strconv.FormatUint(l.HierarchicalMemoryLimit, 10))
		}
		if l.HasHierarchicalMemswLimit {
			kept = append(kept, "hierarchical_memsw_limit "+strconv.FormatUint(l.HierarchicalMemswLimit, 10))
		}
		yield(s.File, strings.Join(kept, ", "))
	} else {
		describe(s.File, s.Status, s.Err, yield)
	}
	if f := v.UseHierarchy; f.Status == Set {
		on := "0"
		if f.On {
			on = "1"
		}
		yield(f.File, on)
	} else {
		describe(f.File, f.Status, f.Err, yield)
	}
	number(v.MemoryLimit, unlimited)
	number(v.MemoryHigh, unlimited)
	number(v.Swap, unlimited)
	number(v.KmemUsage, unlimited)
	number(v.KmemLimit, unlimited)
	switch q := v.CPUQuota; q.Status {
	case Unlimited:
		if v.Version == 2 {
			yield(q.File, "max")
		} else {
			yield(q.File, "-1")
		}
	case Set:
		yield(q.File, strconv.FormatUint(q.Quota, 10)+" per "+strconv.FormatUint(q.Period, 10))
	default:
		describe(q.File, q.Status, q.Err, yield)
	}
	number(v.Weight, unlimited)
	if c := v.CPUSet; c.Status == Set {
		yield(c.File, c.Set.String())
	} else {
		describe(c.File, c.Status, c.Err, yield)
	}
	number(v.Pids, "max")
}

// describe accounts for a file that gave no value.
func describe(file string, status Status, err error, yield func(file, text string)) {
	switch status {
	case Absent:
		yield(file, "(absent)")
	case Missing:
		yield(file, "(missing)")
	case BadValue, ReadError:
		yield(file, "(error: "+err.Error()+")")
	}
}
