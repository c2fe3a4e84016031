package limits

import (
	"log/slog"
	"math"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
)

// Setting is what SetGoMemLimit or SetGoMaxProcs decided.
type Setting struct {
	Name     string // "GOMEMLIMIT" or "GOMAXPROCS"
	Changed  bool   // the library changed the runtime's value
	Value    int64  // the value in force after the call: bytes, or procs
	Previous int64  // the value before the call
	// Source is the cgroup whose limit decided Value, SourceHost for the
	// host-memory fallback, or "" when the library set nothing.
	Source string
	Policy string // how Value follows from the limit
	Reason string // one sentence: what was done and why
}

// SetGoMemLimit sets the Go runtime's soft memory limit
// (runtime/debug.SetMemoryLimit) to a ratio (default 0.9) of the effective
// memory budget: the lower of the hard limit and memory.high over the whole
// walk (above memory.high the kernel throttles and reclaims). With no cgroup
// limit it leaves the limit alone unless WithHostMemoryFallback is given.
//
// It reads R/proc/self/mountinfo and R/proc/self/cgroup (R is WithRoot's
// directory, "/" by default), then at every level of the memory walk v2
// memory.max and memory.high, or v1 the leaf's memory.stat and, where it
// shows a limit, memory.limit_in_bytes and memory.use_hierarchy; the cpu
// walk's files too (cpu.max, or cpu.cfs_quota_us and cpu.cfs_period_us),
// since one refresh loop serves both setters; R/proc/meminfo only with
// WithHostMemoryFallback. WithRefresh keeps those files and
// R/proc/self/cgroup open and re-reads them with one pread each, locating
// the cgroups again when the process has been moved into another cgroup.
//
// Precedence, highest first: TRUELIMIT=off (nothing changes); a valid
// GOMEMLIMIT in the environment (it stands; an invalid one is reported and
// ignored); TRUELIMIT_MEMORY_RATIO (overrides WithMemoryRatio); options;
// defaults.
//
// undo restores the previous limit and stops refreshing it. It is safe for
// concurrent use; the last call's settings win.
func SetGoMemLimit(opts ...MemoryOption) (s Setting, undo func(), err error) {
	cfg := newMemoryConfig(opts)
	ctl.mu.Lock()
	defer ctl.mu.Unlock()
	s = Setting{Name: "GOMEMLIMIT", Previous: debug.SetMemoryLimit(-1)}
	s.Value = s.Previous
	value, set, valid := envGoMemLimit()
	note, done := s.environment(value, set, valid, " is invalid and ignored; ", false)
	if done {
		return s.logged(cfg.logger), noUndo, nil
	}
	if r, set, valid := envMemoryRatio(); valid {
		cfg.ratio = r
	} else if set {
		note += memoryRatioVar + " is not a number in (0, 1] and is ignored; "
	}
	w, res, open, err := detectToWatch(cfg.setterConfig, cfg.hostFallback)
	if err != nil {
		return s, noUndo, err
	}
	part := &memPart{cfg: cfg, previous: s.Previous}
	d := part.decide(res)
	if d.value > 0 {
		debug.SetMemoryLimit(d.value)
	}
	s.decided(note, d, d.value > 0, " bytes")
	ctl.mem = part
	ctl.restart(w, open)
	return s.logged(cfg.logger), undoOnce(func() {
		if ctl.mem == part {
			ctl.mem = nil
			ctl.restart(ctl.watch, nil)
		}
		debug.SetMemoryLimit(part.previous)
	}), nil
}

// SetGoMaxProcs sets GOMAXPROCS from the CPU quota of the whole walk, with
// the Go runtime's own policy by default: the quota rounded up, at least 2,
// never above the CPUs the process may run on (affinity and cpuset). The Go
// runtime applies that policy to the process's own cgroup only; a quota on
// the pod above a "max" leaf is what it misses. WithRoundDown applies the
// automaxprocs policy instead (rounded down, at least 1); WithMinProcs sets
// an explicit minimum.
//
// It reads what SetGoMemLimit reads, without R/proc/meminfo, and the
// process's CPU affinity (sched_getaffinity(2)) on the live system.
//
// Where the result equals what the runtime already chose, GOMAXPROCS is not
// touched, so the runtime keeps updating it itself; where it differs, the
// library owns GOMAXPROCS from then on (refresh it with WithRefresh).
//
// Precedence, highest first: TRUELIMIT=off; a valid GOMAXPROCS in the
// environment (it stands; an invalid one is ignored, as the runtime ignores
// it); GODEBUG=containermaxprocs=0 (left alone); options; defaults.
//
// undo restores the previous value: when the library had changed it and the
// environment sets no GOMAXPROCS, through runtime.SetDefaultGOMAXPROCS so the
// runtime's own updates resume. It is safe for concurrent use.
func SetGoMaxProcs(opts ...ProcsOption) (s Setting, undo func(), err error) {
	cfg := newProcsConfig(opts)
	ctl.mu.Lock()
	defer ctl.mu.Unlock()
	s = Setting{Name: "GOMAXPROCS", Previous: int64(runtime.GOMAXPROCS(0))}
	s.Value = s.Previous
	value, set, valid := envGoMaxProcs()
	note, done := s.environment(value, set, valid, " is invalid and ignored, as the runtime ignores it; ", true)
	if done {
		return s.logged(cfg.logger), noUndo, nil
	}
	w, res, open, err := detectToWatch(cfg.setterConfig, ctl.mem != nil && ctl.mem.cfg.hostFallback)
	if err != nil {
		return s, noUndo, err
	}
	part := &cpuPart{cfg: cfg}
	d := part.decide(res)
	change := d.value > 0 && d.value != s.Previous
	if change {
		runtime.GOMAXPROCS(int(d.value))
		part.owned = true
	}
	s.decided(note, d, change, "")
	ctl.cpu = part
	ctl.restart(w, open)
	previous := int(s.Previous)
	return s.logged(cfg.logger), undoOnce(func() {
		if ctl.cpu == part {
			ctl.cpu = nil
			ctl.restart(ctl.watch, nil)
		}
		if !part.owned {
			return
		}
		if _, set, valid := envGoMaxProcs(); set && valid {
			runtime.GOMAXPROCS(previous)
		} else {
			runtime.SetDefaultGOMAXPROCS()
		}
	}), nil
}

// environment applies the rows of the precedence the setters share:
// TRUELIMIT=off, then the setting's own variable (value, set and valid as
// read), then for GOMAXPROCS GODEBUG=containermaxprocs=0. done means the
// setter stops with s.Reason; otherwise note starts the reason (an invalid
// variable, followed by invalid).
func (s *Setting) environment(value string, set, valid bool, invalid string, procs bool) (note string, done bool) {
	switch {
	case disabled():
		s.Reason = "TRUELIMIT=off: the library changes nothing"
	case set && valid:
		s.Reason = s.Name + "=" + value + " in the environment stands"
	case set:
		return s.Name + "=" + strconv.Quote(value) + invalid, false
	case procs && containerMaxProcsOff():
		s.Reason = "GODEBUG=containermaxprocs=0: container-aware GOMAXPROCS is turned off, so it is left alone"
	default:
		return "", false
	}
	return "", true
}

// decided records a decision in s: with change, the value was set.
func (s *Setting) decided(note string, d decision, change bool, unit string) {
	s.Source, s.Policy = d.source, d.policy
	switch {
	case d.value == 0:
		s.Reason = note + d.why
	case change:
		s.Value, s.Changed = d.value, d.value != s.Previous
		s.Reason = note + s.Name + " set to " + strconv.FormatInt(d.value, 10) + unit + ": " + d.policy
	default:
		s.Reason = note + s.Name + " stays " + strconv.FormatInt(d.value, 10) + ", which the runtime already chose: " + d.policy
	}
}

// noUndo is the undo of a setter that changed nothing.
func noUndo() {}

// undoOnce makes an undo function that runs restore once, holding ctl.mu.
func undoOnce(restore func()) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			ctl.mu.Lock()
			defer ctl.mu.Unlock()
			restore()
		})
	}
}

func (s Setting) logged(l *slog.Logger) Setting {
	if l != nil {
		l.Info("truelimit: "+s.Reason, "setting", s.Name, "value", s.Value, "previous", s.Previous,
			"changed", s.Changed, "source", s.Source)
	}
	return s
}

// decision is a setter's target for one value.
type decision struct {
	value  int64 // 0: nothing to set
	source string
	policy string
	why    string // when value is 0
}

// memPart is SetGoMemLimit's state in the refresh loop.
type memPart struct {
	cfg      memoryConfig
	previous int64
}

// decide computes GOMEMLIMIT from a Result.
func (m *memPart) decide(res Result) decision {
	budget, source, what, scope := uint64(0), "", "", res.Memory.Limit.Scope
	if l := res.Memory.Limit; l.State == Limited {
		budget, source, what = l.Value, l.Source, "the memory limit"
	}
	if h := res.Memory.High; h.State == Limited && (budget == 0 || h.Value < budget) {
		budget, source, what, scope = h.Value, h.Source, "memory.high", h.Scope
	}
	if budget == 0 {
		if !m.cfg.hostFallback || res.Host.MemTotal == 0 {
			return decision{why: "no cgroup limits memory (" + res.Memory.Limit.State.String() +
				visibleNote(res.Memory.Limit.State, scope) + "): GOMEMLIMIT left as it was"}
		}
		budget, source, what = res.Host.MemTotal, SourceHost, "the host's MemTotal"
	}
	v := uint64(float64(budget) * m.cfg.ratio)
	if m.cfg.minBytes > 0 && v < m.cfg.minBytes {
		v = m.cfg.minBytes
	}
	if m.cfg.maxBytes > 0 && v > m.cfg.maxBytes {
		v = m.cfg.maxBytes
	}
	v = min(v, math.MaxInt64)
	return decision{
		value:  int64(v),
		source: source,
		policy: strconv.FormatFloat(m.cfg.ratio, 'g', -1, 64) + " of " + what + " " + strconv.FormatUint(budget, 10) + " bytes from " + source +
			visibleNote(res.Memory.Limit.State, scope),
	}
}

// visibleNote says, for a Setting's reason, that the value acted on is only
// the tightest visible (ScopeVisible): the process's cgroup namespace or
// mount hides the cgroups above it, and one of them may set a lower limit.
func visibleNote(state State, scope Scope) string {
	if state == Unknown || scope != ScopeVisible {
		return ""
	}
	return ", as far as visible (a hidden ancestor may set less)"
}

// cpuPart is SetGoMaxProcs's state in the refresh loop.
type cpuPart struct {
	cfg   procsConfig
	owned bool // the library changed GOMAXPROCS and keeps it up to date
}

// decide computes GOMAXPROCS from a Result.
func (c *cpuPart) decide(res Result) decision {
	q := res.CPU.Limit
	if q.State != Limited {
		return decision{why: "no CPU quota on the walk (" + q.State.String() + visibleNote(q.State, q.Scope) + "): GOMAXPROCS left to the runtime"}
	}
	cpus := res.Host.AffinityCPUs
	if cpus == 0 {
		cpus = runtime.NumCPU()
	}
	var n int64
	var policy string
	if c.cfg.roundDown {
		n, policy = max(int64(q.Quota/q.Period), 1), "rounded down, at least 1"
	} else {
		n, policy = max(int64(ceilDiv(q.Quota, q.Period)), 2), "rounded up, at least 2 (the Go runtime's policy)"
	}
	if c.cfg.minProcs > 0 && n < int64(c.cfg.minProcs) {
		n, policy = int64(c.cfg.minProcs), policy+", raised to the minimum "+strconv.Itoa(c.cfg.minProcs)
	}
	if n > int64(cpus) {
		n, policy = int64(cpus), policy+", capped at the "+strconv.Itoa(cpus)+" CPUs the process may run on"
	}
	return decision{
		value:  n,
		source: q.Source,
		policy: "CPU quota " + strconv.FormatFloat(q.CPUs(), 'g', -1, 64) + " from " + q.Source + " " + policy + visibleNote(q.State, q.Scope),
	}
}
