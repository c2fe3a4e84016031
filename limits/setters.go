package limits

import (
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
	// Source is the cgroup whose limit decided Value; for GOMEMLIMIT
	// SourceHost when the host's MemTotal did (the fallback, or a cap below
	// the cgroup budget), SourceRlimitAS or SourceRlimitData when the
	// process's resource limit did; "" when the library set nothing. Policy
	// names every cap and the reserve applied.
	Source string
	Policy string // how Value follows from the limit
	Reason string // one sentence: what was done and why
}

// Sources of a GOMEMLIMIT that a resource limit of the process capped
// (getrlimit(2), the soft limit).
const (
	SourceRlimitAS   = "RLIMIT_AS"
	SourceRlimitData = "RLIMIT_DATA"
)

// SetGoMemLimit sets the Go runtime's soft memory limit
// (runtime/debug.SetMemoryLimit) to a ratio (default 0.9) of the effective
// memory budget: the lower of the hard limit and memory.high over the whole
// walk (above memory.high the kernel throttles and reclaims), capped by the
// host's MemTotal and the process's soft RLIMIT_AS and RLIMIT_DATA. With
// WithMemoryReserve it is the lower of that and the budget less the reserve.
// It is never above the hard limit (nor MemTotal, nor the RLIMITs), whatever
// WithMinMemoryLimit says. With no cgroup limit it leaves the limit alone
// unless WithHostMemoryFallback is given. docs/SEMANTICS.md has the rules.
//
// It reads R/proc/self/mountinfo and R/proc/self/cgroup (R is WithRoot's
// directory, "/" by default), then at every level of the memory walk v2
// memory.max and memory.high, or v1 the leaf's memory.stat and, where it
// shows a limit, memory.limit_in_bytes and memory.use_hierarchy; the cpu
// walk's files too (cpu.max, or cpu.cfs_quota_us and cpu.cfs_period_us),
// since one refresh loop serves both setters; R/proc/meminfo for MemTotal;
// getrlimit(2) on the live system. WithRefresh keeps those files and
// R/proc/self/cgroup open and re-reads them with one pread each, locating
// the cgroups again when the process has been moved into another cgroup.
//
// Precedence, highest first: TRUELIMIT=off (nothing changes); a valid
// GOMEMLIMIT in the environment (it stands; an invalid one is reported and
// ignored); TRUELIMIT_MEMORY_RATIO (overrides WithMemoryRatio),
// TRUELIMIT_MEMORY_RESERVE (overrides WithMemoryReserve) and
// TRUELIMIT_MEMORY_SHARED, 1 or 0 (overrides WithSharedMemoryLimit);
// options; defaults. Without the shared-limit policy, when the memory limit
// is an ancestor's whose other cgroups use a tenth of it or more at the
// start (their memory.current, or v1 memory.usage_in_bytes, read then
// only), the Reason says shared-limit.
//
// undo restores the previous limit and stops refreshing it. It is safe for
// concurrent use; the last call's settings win.
func SetGoMemLimit(opts ...MemoryOption) (s Setting, undo func(), err error) {
	cfg := newMemoryConfig(opts)
	s, _, undo, err = setGoLimits(&cfg, nil)
	return s, undo, err
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
// it); GODEBUG=containermaxprocs=0 (left alone); GODEBUG=updatemaxprocs=0
// (set once: the refresh loop does not follow a resize), and with
// WithBuildGODEBUG the same two set in the binary by //go:debug or go.mod;
// options; defaults.
//
// undo restores the previous value: when the library had changed it and the
// environment sets no GOMAXPROCS, through runtime.SetDefaultGOMAXPROCS so the
// runtime's own updates resume. It is safe for concurrent use.
func SetGoMaxProcs(opts ...ProcsOption) (s Setting, undo func(), err error) {
	cfg := newProcsConfig(opts)
	_, s, undo, err = setGoLimits(nil, &cfg)
	return s, undo, err
}

// PlanGoLimits is what SetGoLimits would decide in this process's
// environment, with the same options, rows of precedence, detection and
// policy, without changing GOMEMLIMIT or GOMAXPROCS, logging, or starting a
// refresh loop: Changed says whether the setter would change the value, and
// Value is the value it would leave in force. With WithRoot it plans for the
// tree under that directory (getrlimit(2) is then not read). An entrypoint
// uses it to hand the values to a program that cannot import the library
// (cgroupinfo's env mode). It reads what SetGoLimits reads, once. It is safe
// for concurrent use.
func PlanGoLimits(mem []MemoryOption, procs []ProcsOption) (memory, maxProcs Setting, err error) {
	mc, pc := newGoLimitsConfig(mem, procs)
	// No refresh loop: no file is kept open for one.
	mc.refresh, pc.refresh = 0, 0
	p, err := planGoLimits(&mc, &pc, false, false)
	return p.ms, p.ps, err
}

// SetGoLimits is SetGoMemLimit and SetGoMaxProcs in one call, with one
// detection and one start of the refresh loop (limits/auto uses it). The
// options shared by both setters (WithRoot, WithRefresh, WithLogger) apply
// to both values from either list; where both lists carry one, procs' wins.
// undo restores both values. It is safe for concurrent use.
func SetGoLimits(mem []MemoryOption, procs []ProcsOption) (memory, maxProcs Setting, undo func(), err error) {
	mc, pc := newGoLimitsConfig(mem, procs)
	return setGoLimits(&mc, &pc)
}

// newGoLimitsConfig reads both setters' options, the shared ones from
// either list, procs' winning.
func newGoLimitsConfig(mem []MemoryOption, procs []ProcsOption) (memoryConfig, procsConfig) {
	mc := newMemoryConfig(mem)
	pc := procsConfig{setterConfig: mc.setterConfig}
	for _, o := range procs {
		o.applyProcs(&pc)
	}
	mc.setterConfig = pc.setterConfig
	return mc, pc
}

// goLimitsPlan is what the setters decided before they change anything: the
// Settings, complete but for logging, and for each value the library acts
// on its part in the refresh loop; the detection's watch and open files.
type goLimitsPlan struct {
	ms, ps Setting
	mem    *memPart
	cpu    *cpuPart
	w      watch
	open   *openFiles
}

// planGoLimits decides for the setters: each of mc and pc, when set, asks
// for its value. It reads the environment's rows for each, then detects once
// for the values the environment leaves to the library. hostMemory and
// shared are the refresh loop's memory part's needs when mc is nil.
func planGoLimits(mc *memoryConfig, pc *procsConfig, hostMemory, shared bool) (p goLimitsPlan, err error) {
	var memNote, cpuNote string
	var cfg setterConfig
	if mc != nil {
		value, set, valid := envGoMemLimit()
		var done bool
		p.ms, memNote, done = newSetting("GOMEMLIMIT", debug.SetMemoryLimit(-1), value, set, valid, " is invalid and ignored; ", "")
		if !done {
			if r, set, valid := envMemoryRatio(); valid {
				mc.ratio = r
			} else if set {
				memNote += memoryRatioVar + " is not a decimal number in (0, 1] and is ignored; "
			}
			if v, set, valid := envMemoryReserve(); valid {
				mc.reserve = v
			} else if set {
				memNote += memoryReserveVar + " is not a byte count and is ignored; "
			}
			if on, set, valid := envMemoryShared(); valid {
				mc.shared = on
			} else if set {
				memNote += memorySharedVar + " is not 1 or 0 and is ignored; "
			}
			p.mem, cfg, hostMemory, shared = &memPart{cfg: *mc, previous: p.ms.Previous}, mc.setterConfig, true, mc.shared
		}
	}
	if pc != nil {
		value, set, valid := envGoMaxProcs()
		var done bool
		p.ps, cpuNote, done = newSetting("GOMAXPROCS", int64(runtime.GOMAXPROCS(0)), value, set, valid, " is invalid and ignored, as the runtime ignores it; ",
			godebugOff("containermaxprocs", pc.buildOff))
		if !done {
			once := godebugOff("updatemaxprocs", pc.buildOff)
			p.cpu, cfg = &cpuPart{cfg: *pc, once: once != ""}, pc.setterConfig
			if p.cpu.once {
				cpuNote += once + ": set once; "
			}
		}
	}
	if p.mem == nil && p.cpu == nil {
		return p, nil
	}
	w, res, open, err := detectToWatch(cfg, hostMemory, shared, p.mem != nil)
	if err != nil {
		return p, err
	}
	p.w, p.open = w, open
	if p.mem != nil {
		d := p.mem.decide(res, w.usages)
		p.ms.decided(memNote, d, d.value > 0, " bytes")
		if !p.mem.cfg.shared {
			// The usages were read for the note alone: the loop has none.
			p.ms.Reason += sharedNote(res.Memory.Limit, w.usages)
			p.w.usages = sharedUsage{}
		}
	}
	if p.cpu != nil {
		d := p.cpu.decide(res)
		p.ps.decided(cpuNote, d, d.value > 0 && d.value != p.ps.Previous, "")
	}
	return p, nil
}

// setGoLimits is the setters: it plans, then sets the values the plan
// changes, logs both Settings and hands the parts to the refresh loop.
func setGoLimits(mc *memoryConfig, pc *procsConfig) (ms, ps Setting, undo func(), err error) {
	ctl.mu.Lock()
	defer ctl.mu.Unlock()
	var shared bool
	if ctl.mem != nil {
		shared = ctl.mem.cfg.shared
	}
	p, err := planGoLimits(mc, pc, ctl.mem != nil, shared)
	if mc != nil && p.ms.Reason != "" {
		p.ms = p.ms.logged(mc.log)
	}
	if pc != nil && p.ps.Reason != "" {
		p.ps = p.ps.logged(pc.log)
	}
	mem, cpu := p.mem, p.cpu
	if err != nil || (mem == nil && cpu == nil) {
		return p.ms, p.ps, noUndo, err
	}
	if p.ms.Changed {
		debug.SetMemoryLimit(p.ms.Value)
	}
	if mem != nil {
		ctl.mem = mem
	}
	if p.ps.Changed {
		runtime.GOMAXPROCS(int(p.ps.Value))
		cpu.owned = true
	}
	if cpu != nil {
		ctl.cpu = cpu
	}
	ctl.restart(p.w, p.open)
	previousProcs := int(p.ps.Previous)
	return p.ms, p.ps, undoOnce(func() {
		if (mem != nil && ctl.mem == mem) || (cpu != nil && ctl.cpu == cpu) {
			if ctl.mem == mem {
				ctl.mem = nil
			}
			if ctl.cpu == cpu {
				ctl.cpu = nil
			}
			ctl.restart(ctl.watch, nil)
		}
		if mem != nil {
			debug.SetMemoryLimit(mem.previous)
		}
		if cpu == nil || !cpu.owned {
			return
		}
		if _, set, valid := envGoMaxProcs(); set && valid {
			runtime.GOMAXPROCS(previousProcs)
		} else {
			runtime.SetDefaultGOMAXPROCS()
		}
	}), nil
}

// newSetting starts the Setting of the value name, whose runtime value is
// previous, with the rows of the precedence the setters share:
// TRUELIMIT=off, then the setting's own variable (value, set and valid as
// read), then for GOMAXPROCS containermaxprocs=0 (off, as godebugOff says
// it; "" when not). done means the setter stops there with s.Reason;
// otherwise note starts the reason (an invalid variable, followed by
// invalid).
func newSetting(name string, previous int64, value string, set, valid bool, invalid, off string) (s Setting, note string, done bool) {
	s = Setting{Name: name, Value: previous, Previous: previous}
	switch {
	case disabled():
		s.Reason = "TRUELIMIT=off: the library changes nothing"
	case set && valid:
		s.Reason = name + "=" + value + " in the environment stands"
	case set:
		return s, name + "=" + strconv.Quote(value) + invalid, false
	case off != "":
		s.Reason = off + ": container-aware GOMAXPROCS is turned off, so it is left alone"
	default:
		return s, "", false
	}
	return s, "", true
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

// logged logs s with log (WithLogger's), if set.
func (s Setting) logged(log func(Setting, int)) Setting {
	if log != nil {
		log(s, decided)
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
	// sharedInForce is the shared-limit policy's budget in force (0:
	// none yet), which it keeps within the dead-band.
	sharedInForce uint64
}

// decide computes GOMEMLIMIT from a Result: a ratio of the budget, or the
// budget less the reserve when that is lower, within the minimum and maximum
// options but never above the hard ceiling (the lowest of the memory limit,
// the host's MemTotal and the process's RLIMIT_AS and RLIMIT_DATA).
func (m *memPart) decide(res Result, u sharedUsage) decision {
	budget, source, what, scope, high := uint64(0), "", "", res.Memory.Limit.Scope, ""
	var ceiling uint64 // what GOMEMLIMIT never exceeds; 0: nothing
	if l := res.Memory.Limit; l.State == Limited {
		budget, source, what, ceiling = l.Value, l.Source, "the memory limit", l.Value
		if m.cfg.shared && u[1] != 0 {
			budget, what = m.sharedBudget(l.Value, u)
		}
	}
	if h := res.Memory.High; h.State == Limited && (budget == 0 || h.Value < budget) {
		budget, source, what, scope = h.Value, h.Source, "memory.high", h.Scope
		high = " (the kernel throttles above it; Kubernetes MemoryQoS sets it below the limit)"
	}
	var capped string
	if budget == 0 {
		if !m.cfg.hostFallback || res.Host.MemTotal == 0 {
			return decision{why: "no cgroup limits memory (" + res.Memory.Limit.State.String() +
				visibleNote(res.Memory.Limit.State, scope) + "): GOMEMLIMIT left as it was"}
		}
		budget, source, what, ceiling = res.Host.MemTotal, SourceHost, "the host's MemTotal", res.Host.MemTotal
	} else {
		as, data := memoryRlimits(m.cfg.root)
		for i, c := range [...]uint64{res.Host.MemTotal, as, data} {
			if c == 0 {
				continue
			}
			if ceiling == 0 || c < ceiling {
				ceiling = c
			}
			if c < budget {
				capped = ", capping " + bytesFrom(what, budget, source) + capped
				budget, source, what = c, capSources[i], capNames[i]
			}
		}
	}
	v := uint64(float64(budget) * m.cfg.ratio)
	policy := strconv.FormatFloat(m.cfg.ratio, 'g', -1, 64) + " of "
	if r := m.cfg.reserve; r > 0 && budget-min(r, budget) < v {
		v, policy = budget-min(r, budget), strconv.FormatUint(r, 10)+" bytes (the reserve) less than "
	}
	policy += bytesFrom(what, budget, source) + capped + visibleNote(res.Memory.Limit.State, scope) + high
	if n := m.cfg.minBytes; v < n {
		v, policy = n, policy+", raised to the minimum "+strconv.FormatUint(n, 10)+" bytes"
	}
	if n := m.cfg.maxBytes; n > 0 && v > n {
		v, policy = n, policy+", lowered to the maximum "+strconv.FormatUint(n, 10)+" bytes"
	}
	if ceiling > 0 && v > ceiling {
		v, policy = ceiling, policy+", but not above the hard limit "+strconv.FormatUint(ceiling, 10)+" bytes"
	}
	if v == 0 {
		return decision{why: policy + " leaves nothing: GOMEMLIMIT left as it was"}
	}
	return decision{value: int64(min(v, math.MaxInt64)), source: source, policy: policy}
}

// The caps of a cgroup memory budget, in the order decide applies them,
// with their Setting.Source and their name in Setting.Policy.
var (
	capSources = [...]string{SourceHost, SourceRlimitAS, SourceRlimitData}
	capNames   = [...]string{"the host's MemTotal", "the soft limit", "the soft limit"}
)

// bytesFrom names a budget in Setting.Policy.
func bytesFrom(what string, n uint64, source string) string {
	return what + " " + strconv.FormatUint(n, 10) + " bytes from " + source
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
	once  bool // GODEBUG=updatemaxprocs=0: the refresh loop leaves it alone
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
