package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/report"
)

// The reasons a -require list is refused; a *RequirementError wraps one.
var (
	ErrRequirementEmpty     = errors.New("empty requirement")
	ErrRequirementOperator  = errors.New("want NAME>=VALUE (>= is the only comparison)")
	ErrRequirementName      = errors.New("unknown name: want memory, memory.high, cpus or pids")
	ErrRequirementValue     = errors.New("bad value")
	ErrRequirementDuplicate = errors.New("named twice")
)

// RequirementError is a -require item that could not be parsed.
type RequirementError struct {
	Item string // the item as given, between commas
	Err  error  // one of the ErrRequirement* sentinels, possibly wrapped with detail
}

func (e *RequirementError) Error() string {
	return "-require " + strconv.Quote(e.Item) + ": " + e.Err.Error()
}

func (e *RequirementError) Unwrap() error { return e.Err }

// resource is what a requirement is about.
type resource string

const (
	resMemory     resource = "memory"      // the effective memory limit, bytes
	resMemoryHigh resource = "memory.high" // the effective memory.high, bytes
	resCPUs       resource = "cpus"        // the lower of the CPU quota and the cpuset's CPUs
	resPids       resource = "pids"        // the effective pids limit
)

// requirement is one NAME>=VALUE item. CPUs are a decimal, the others a
// count (bytes or tasks).
type requirement struct {
	name  resource
	text  string // the item as given, for messages
	count uint64
	cpus  float64
}

// byteUnits are GOMEMLIMIT's suffixes (runtime/debug.SetMemoryLimit).
var byteUnits = [...]struct {
	suffix string
	shift  uint
}{{"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"TiB", 40}, {"B", 0}}

// parseRequirements parses a -require list:
//
//	list  = item { "," item }
//	item  = name ">=" value
//	name  = "memory" | "memory.high" | "cpus" | "pids"
//	value = digits [ "B" | "KiB" | "MiB" | "GiB" | "TiB" ]   for memory, memory.high
//	      | digits [ "." digits ]                            for cpus
//	      | digits                                           for pids
//
// Spaces around names and values are ignored; each name may appear once.
func parseRequirements(list string) ([]requirement, error) {
	var reqs []requirement
	for _, item := range strings.Split(list, ",") {
		r, err := parseRequirement(item)
		if err != nil {
			return nil, &RequirementError{Item: item, Err: err}
		}
		for _, prev := range reqs {
			if prev.name == r.name {
				return nil, &RequirementError{Item: item, Err: ErrRequirementDuplicate}
			}
		}
		reqs = append(reqs, r)
	}
	return reqs, nil
}

func parseRequirement(item string) (requirement, error) {
	text := strings.TrimSpace(item)
	if text == "" {
		return requirement{}, ErrRequirementEmpty
	}
	name, value, ok := strings.Cut(text, ">=")
	if !ok {
		return requirement{}, ErrRequirementOperator
	}
	r := requirement{name: resource(strings.TrimSpace(name)), text: text}
	value = strings.TrimSpace(value)
	var err error
	switch r.name {
	case resMemory, resMemoryHigh:
		r.count, err = parseBytes(value)
	case resPids:
		r.count, err = parseDigits(value)
	case resCPUs:
		r.cpus, err = parseCPUs(value)
	default:
		return requirement{}, ErrRequirementName
	}
	if err != nil {
		return requirement{}, err
	}
	return r, nil
}

// parseDigits parses a plain decimal integer.
func parseDigits(s string) (uint64, error) {
	if !isDigits(s) {
		return 0, fmt.Errorf("%w: want digits, not %q", ErrRequirementValue, s)
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q is too large", ErrRequirementValue, s)
	}
	return n, nil
}

// isDigits reports whether s is one or more decimal digits.
func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// parseBytes parses digits with an optional GOMEMLIMIT unit.
func parseBytes(s string) (uint64, error) {
	digits, shift := s, uint(0)
	for _, u := range byteUnits {
		if d, ok := strings.CutSuffix(s, u.suffix); ok {
			digits, shift = d, u.shift
			break
		}
	}
	n, err := parseDigits(digits)
	if err != nil {
		return 0, err
	}
	if n > math.MaxUint64>>shift {
		return 0, fmt.Errorf("%w: %q is too large", ErrRequirementValue, s)
	}
	return n << shift, nil
}

// parseCPUs parses digits with an optional decimal fraction: "2", "0.5".
func parseCPUs(s string) (float64, error) {
	whole, frac, dot := strings.Cut(s, ".")
	if !isDigits(whole) || dot && !isDigits(frac) {
		return 0, fmt.Errorf("%w: want a decimal such as 2 or 0.5, not %q", ErrRequirementValue, s)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%w: %q is too large", ErrRequirementValue, s)
	}
	return f, nil
}

// unmetError says which requirements the effective limits do not meet.
type unmetError struct {
	reasons []string
}

func (e *unmetError) Error() string {
	return "requirement not met: " + strings.Join(e.reasons, "; ")
}

// checkRequirements compares each requirement with the effective limits of
// r: an unlimited value meets any, an unknown value none. It returns nil or
// an *unmetError whose one line names each unmet requirement, the value and
// the level that set it, and ancestors-hidden and limit-hidden-from-process
// when r has them.
func checkRequirements(reqs []requirement, r limits.Result) error {
	var reasons []string
	for _, req := range reqs {
		if reason, ok := req.check(r); !ok {
			reasons = append(reasons, req.text+": "+reason)
		}
	}
	if len(reasons) == 0 {
		return nil
	}
	if r.Has(limits.CodeAncestorsHidden) {
		reasons = append(reasons, "ancestors-hidden: a limit above the top visible cgroup may be lower still")
	}
	if r.Has(limits.CodeLimitHiddenFromProcess) {
		reasons = append(reasons, "limit-hidden-from-process: the process itself sees a higher limit, or none")
	}
	return &unmetError{reasons: reasons}
}

// check says whether r meets req and, when not, why.
func (req requirement) check(r limits.Result) (string, bool) {
	switch req.name {
	case resMemory:
		return checkCount(r.Memory.Limit, req.count, "the memory limit is ", unitText)
	case resMemoryHigh:
		return checkCount(r.Memory.High, req.count, "memory.high is ", unitText)
	case resPids:
		return checkCount(r.Pids, req.count, "the pids limit is ", func(n uint64) string { return strconv.FormatUint(n, 10) })
	}
	c := effectiveCPUs(r)
	if c.state == limits.Unknown || c.state == limits.Limited && c.cpus < req.cpus {
		return c.why, false
	}
	return "", true
}

// cpuLimit is the CPUs a process may use: -require's cpus and -env's
// TRUELIMIT_CPUS.
type cpuLimit struct {
	state limits.State // Unknown when the quota or the cpuset is
	cpus  float64      // when Limited
	why   string       // what sets cpus, or which value is unknown
}

// effectiveCPUs is the lower of the CPU quota (quota/period) and the number
// of CPUs in the cpuset: Limited when either limits, Unknown when either is
// unknown, since the other alone may be higher than what binds.
func effectiveCPUs(r limits.Result) cpuLimit {
	q, set := r.CPU.Limit, r.CPU.Set
	if q.State == limits.Unknown {
		return cpuLimit{why: "the CPU limit is unknown"}
	}
	if set.State == limits.Unknown {
		return cpuLimit{why: "the cpuset is unknown"}
	}
	c := cpuLimit{state: limits.Unlimited}
	if q.State == limits.Limited {
		c = cpuLimit{state: limits.Limited, cpus: q.CPUs(),
			why: "the CPU limit is " + strconv.FormatFloat(q.CPUs(), 'g', 4, 64) + " CPUs, set by " + report.LevelName(q.Source)}
	}
	if n := set.CPUs.Count(); set.State == limits.Limited && (c.state != limits.Limited || float64(n) < c.cpus) {
		c = cpuLimit{state: limits.Limited, cpus: float64(n),
			why: "the cpuset has " + strconv.Itoa(n) + " CPUs, set by " + report.LevelName(set.Source)}
	}
	return c
}

func checkCount(l limits.Limit, want uint64, what string, text func(uint64) string) (string, bool) {
	switch {
	case l.State == limits.Unknown:
		return what + "unknown", false
	case l.State == limits.Limited && l.Value < want:
		return what + text(l.Value) + ", set by " + report.LevelName(l.Source), false
	}
	return "", true
}

// unitText is a byte count in the largest GOMEMLIMIT unit that divides it,
// so that a message reads in the units the requirement was written in.
func unitText(n uint64) string {
	for i := 3; i >= 0; i-- {
		u := byteUnits[i]
		if n != 0 && n%(1<<u.shift) == 0 {
			return strconv.FormatUint(n>>u.shift, 10) + u.suffix
		}
	}
	return strconv.FormatUint(n, 10) + "B"
}
