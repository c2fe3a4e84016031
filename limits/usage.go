package limits

import (
	"strconv"

	"github.com/truelimit/truelimit/limits/internal/tally"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/limits/internal/own"
	cgv2 "github.com/truelimit/truelimit/v2"
)

// Count is an amount or a counter read from a usage file. Known is false
// when the file or its key is absent, or the file could not be read or held
// garbage (a Diagnostic then names it).
type Count struct {
	Value uint64
	Known bool
}

// Headroom is how far a cgroup is from the limits that bind it: over every
// level whose limit counts, that level's limit minus that level's own usage
// (which includes its other children), the lowest, clamped at 0.
type Headroom struct {
	Known bool
	Bytes uint64
	// Source is the level that leaves the least room, the closest on a
	// tie, or SourceHierarchicalMemoryLimit: v1's hierarchical limit of an
	// invisible ancestor minus the leaf's own usage, an upper bound.
	Source string
}

// MemoryEvents are the counters of a memory.events (v2), or their v1
// equivalents: max is memory.failcnt and oom_kill is memory.oom_control's
// (4.13+); v1 has no high or oom counter.
type MemoryEvents struct {
	High, Max, OOM, OOMKill Count
}

// LimitEvents are the memory events of the level that sets the effective
// memory limit, when it is not the process's own cgroup: max and oom count
// where the limit was hit and propagate up, not down.
type LimitEvents struct {
	Source string
	MemoryEvents
}

// MemoryUsage is what the cgroup's memory charges and how close it is.
type MemoryUsage struct {
	// Current is v2 memory.current, v1 memory.usage_in_bytes.
	Current Count
	// WorkingSet is Current minus memory.stat inactive_file (v1
	// total_inactive_file), clamped at 0: what the kubelet evicts on.
	WorkingSet Count
	// Peak is v2 memory.peak (5.19+), v1 memory.max_usage_in_bytes.
	Peak Count
	// Swap is v2 memory.swap.current, v1 memory.memsw.usage_in_bytes minus
	// memory.usage_in_bytes (clamped at 0); unknown without swap accounting.
	Swap Count
	// The breakdown of memory.stat: v2 anon, file, kernel (5.18+), sock,
	// shmem, inactive_file; v1 total_rss, total_cache,
	// memory.kmem.usage_in_bytes, none, total_shmem, total_inactive_file.
	Anon, File, Kernel, Sock, Shmem, InactiveFile Count
	// Headroom is against the hard limits, HighHeadroom against
	// memory.high (v2).
	Headroom, HighHeadroom Headroom
	Events                 MemoryEvents
	// LimitEvents are the events of the level that sets the effective
	// memory limit; nil when that is the cgroup itself, when no level
	// limits memory, or for SourceHierarchicalMemoryLimit.
	LimitEvents *LimitEvents
}

// Throttling is the CFS bandwidth throttling of the level that sets the
// effective CPU limit: cpu.stat nr_periods, nr_throttled and throttled_usec
// (v1 throttled_time in nanoseconds, divided by 1000).
type Throttling struct {
	Source                                   string
	Periods, ThrottledPeriods, ThrottledUsec Count
}

// CPUUsage is the CPU time the cgroup used and how much it is throttled.
type CPUUsage struct {
	// UsageUsec is v2 cpu.stat usage_usec, v1 cpuacct.usage / 1000.
	UsageUsec Count
	// Throttling is nil when the CPU is not limited.
	Throttling *Throttling
}

// PressureLine is one line of a PSI file: the share of time some (or all)
// tasks stalled over 10, 60 and 300 seconds, in percent, and the total
// stall time in microseconds.
type PressureLine struct {
	Avg10, Avg60, Avg300 float64
	TotalUsec            uint64
}

// Pressure is one PSI file of the cgroup.
type Pressure struct {
	Some PressureLine
	Full *PressureLine // nil where the kernel prints no full line
}

// Pressures are the cgroup's memory.pressure, cpu.pressure and io.pressure;
// each nil when absent (a kernel without PSI, or PSI disabled) or when no
// cgroup2 mount holds the cgroup.
type Pressures struct {
	Memory, CPU, IO *Pressure
}

// Usage is what a cgroup uses and how close it is to the limits that bind
// it: what DetectUsage, ForPIDUsage and ForCgroupUsage read.
type Usage struct {
	Memory   MemoryUsage
	CPU      CPUUsage
	Pids     Count // pids.current
	Pressure Pressures
}

// DetectUsage is Detect plus the usage of the process's cgroups and how
// close they are to the limits that bind them. Beyond what Detect reads, it
// reads the leaf's memory.current (v1 memory.usage_in_bytes), memory.peak,
// swap usage, memory.stat and memory.events; the own usage of every level
// whose memory limit or memory.high counts, for the headroom; the memory
// events of the level that sets the memory limit; cpu.stat (v1
// cpuacct.usage) and the cpu.stat of the level that sets the CPU limit;
// pids.current; and the PSI files of the cgroup2 directory.
// docs/SEMANTICS.md (Usage) has the rules. Usage diagnostics (shared-limit,
// and bad-value or read-error for usage files) are in the Result. It is safe
// for concurrent use.
func DetectUsage(opts ...Option) (Result, Usage, error) {
	var u Usage
	cfg := newConfig(opts)
	cfg.usage = &u
	res, err := detect(cfg, 0)
	return res, u, err
}

// ForPIDUsage is ForPID plus the usage, as DetectUsage reads it.
func ForPIDUsage(pid int, opts ...Option) (Result, Usage, error) {
	var u Usage
	cfg := newConfig(opts)
	cfg.usage = &u
	res, err := forPID(pid, cfg)
	return res, u, err
}

// ForCgroupUsage is ForCgroup plus the usage, as DetectUsage reads it. For a
// cgroup that does not exist yet, its own values are unknown and the
// headroom is that of the existing levels: how much room they have left
// for it.
func ForCgroupUsage(path string, form PathForm, opts ...Option) (Result, Usage, error) {
	var u Usage
	cfg := newConfig(opts)
	cfg.usage = &u
	res, err := forCgroup(path, form, cfg)
	return res, u, err
}

// unifiedHierarchy names the cgroup2 hierarchy to a locator: no v1 mount
// binds the empty controller name, so it is located on the unified one.
const unifiedHierarchy = ""

// usageReader reads a report's usage once its walks are done. It lives
// apart from the reader, whose types every detection links, so that a
// program that imports only the setters links none of the usage types.
type usageReader struct {
	r *reader
	// find is the detection's locator, for the v1 cpuacct and the cgroup2
	// directory.
	find locator
	// levels are the cgroups whose usage files were read, for the
	// diagnostics.
	levels []usageLevel
	// store, when set (a UsagePoller), holds what the Usage's pointers
	// point at, so that a sample allocates nothing.
	store *usageStore
}

// read fills u and adds the usage diagnostics to the Result.
func (ur *usageReader) read(u *Usage) {
	ur.sample(u)
	for i := range ur.levels {
		if lv := &ur.levels[i]; lv.values.Failed() {
			lv.values.Problems(ur.r.abs(lv.loc.Dir()), func(code, msg string) { ur.r.diag(Code(code), msg) })
		}
	}
	ur.sharedLimit(&u.Memory)
}

// sample fills u, without diagnostics.
func (ur *usageReader) sample(u *Usage) {
	ur.memoryUsage(&u.Memory)
	ur.cpuUsage(&u.CPU)
	if p := ur.r.placed[pidsIdx]; p.found && p.wanted == "" {
		v := ur.at(p.loc, own.PidsCurrent)
		u.Pids = countOf(v.PidsCurrent)
	}
	ur.pressure(&u.Pressure)
}

// at reads the usage values in want at loc and keeps them for the
// diagnostics. The values it returns are valid until its next call.
func (ur *usageReader) at(loc cgroup.Location, want own.UsageWant) *own.UsageValues {
	if len(ur.levels) < cap(ur.levels) {
		ur.levels = ur.levels[:len(ur.levels)+1]
		lv := &ur.levels[len(ur.levels)-1]
		lv.loc = loc
		if ur.store != nil {
			// A poller's sample reads only the values in want, which
			// ReadUsage overwrites, and current's test of the memory usage:
			// clearing that is enough, and much less than all of them.
			lv.values.Current = own.Number{}
		} else {
			lv.values = own.UsageValues{}
		}
	} else {
		ur.levels = append(ur.levels, usageLevel{loc: loc})
	}
	lv := &ur.levels[len(ur.levels)-1]
	ur.r.at = loc
	ur.r.own.ReadUsage(ur.r, loc.Version, want, &lv.values)
	return &lv.values
}

// memoryUsage reads the leaf's memory usage, the headroom over the levels
// whose limits count, and the events of the level that sets the limit.
func (ur *usageReader) memoryUsage(m *MemoryUsage) {
	r := ur.r
	p := r.placed[memoryIdx]
	if !p.found {
		return
	}
	v1 := p.loc.Version == 1
	if p.wanted == "" {
		values := ur.at(p.loc, own.Current|own.Peak|own.SwapUsage|own.StatUsage|own.Events)
		m.Current, m.Peak = countOf(values.Current), countOf(values.Peak)
		m.Events = eventsOf(values)
		s := &values.Stat
		if v1 {
			m.Swap = clampedDifference(values.SwapUsage, values.Current)
			m.Anon = statCount(s.Status, s.V1.TotalRSS, s.V1.HasTotalRSS)
			m.File = statCount(s.Status, s.V1.TotalCache, s.V1.HasTotalCache)
			m.Kernel = countOf(values.KmemUsage)
			m.Shmem = statCount(s.Status, s.V1.TotalShmem, s.V1.HasTotalShmem)
			m.InactiveFile = statCount(s.Status, s.V1.TotalInactiveFile, s.V1.HasTotalInactiveFile)
		} else {
			m.Swap = countOf(values.SwapUsage)
			m.Anon = statCount(s.Status, s.V2.Anon, s.V2.HasAnon)
			m.File = statCount(s.Status, s.V2.File, s.V2.HasFile)
			m.Kernel = statCount(s.Status, s.V2.Kernel, s.V2.HasKernel)
			m.Sock = statCount(s.Status, s.V2.Sock, s.V2.HasSock)
			m.Shmem = statCount(s.Status, s.V2.Shmem, s.V2.HasShmem)
			m.InactiveFile = statCount(s.Status, s.V2.InactiveFile, s.V2.HasInactiveFile)
		}
		if m.Current.Known && m.InactiveFile.Known {
			m.WorkingSet = Count{Value: m.Current.Value - min(m.Current.Value, m.InactiveFile.Value), Known: true}
		}
	}
	m.Headroom, m.HighHeadroom = ur.headrooms(r.res.Memory.Limit)
	if l := r.res.Memory.Limit; l.State == Limited && l.Source != p.loc.Path && l.Source != SourceHierarchicalMemoryLimit && l.Source != SourceLXCFS {
		if lv := r.levelAt(memoryIdx, l.Source); lv != nil {
			events := eventsOf(ur.at(lv.loc, own.Events))
			m.LimitEvents = ur.limitEvents()
			*m.LimitEvents = LimitEvents{Source: l.Source, MemoryEvents: events}
		}
	}
}

// headrooms are the headroom under the memory limits and under memory.high:
// each the lowest of limit_L - current_L over the levels of the memory walk
// where that file is set, the closest level on a tie; current_L is the
// level's own usage, read once for both. With the effective limit from v1's
// hierarchical_memory_limit, that limit minus the leaf's usage is one more
// candidate for the limit's, ranked farthest. The limit's is unknown when
// eff is not Limited, memory.high's when no level has one; each is unknown
// when a usage it needs cannot be read.
func (ur *usageReader) headrooms(eff Limit) (limit, high Headroom) {
	r := ur.r
	limitOK, highOK := eff.State == Limited, true
	for i := range r.levels {
		lv := &r.levels[i]
		if lv.controller != memoryIdx {
			continue
		}
		l, h := lv.values.MemoryLimit, lv.values.MemoryHigh
		wantLimit, wantHigh := limitOK && l.Status == own.Set, highOK && h.Status == own.Set
		if !wantLimit && !wantHigh {
			continue
		}
		current := ur.current(lv.loc)
		if wantLimit {
			limit, limitOK = lowerHeadroom(limit, l.Value, current, lv.loc.Path)
		}
		if wantHigh {
			high, highOK = lowerHeadroom(high, h.Value, current, lv.loc.Path)
		}
	}
	if limitOK && eff.Source == SourceHierarchicalMemoryLimit {
		// Without the cgroup itself (it does not exist) there is no usage
		// of its own to subtract.
		if p := r.placed[memoryIdx]; p.wanted == "" {
			limit, limitOK = lowerHeadroom(limit, eff.Value, ur.current(p.loc), SourceHierarchicalMemoryLimit)
		} else {
			limitOK = false
		}
	}
	if !limitOK {
		limit = Headroom{}
	}
	if !highOK {
		high = Headroom{}
	}
	return limit, high
}

// lowerHeadroom is h, or value - current from source when that is lower, h
// ranking first on a tie; ok is false when current could not be read.
func lowerHeadroom(h Headroom, value uint64, current own.Number, source string) (_ Headroom, ok bool) {
	if current.Status != own.Set {
		return Headroom{}, false
	}
	if room := value - min(value, current.Value); !h.Known || room < h.Bytes {
		h = Headroom{Known: true, Bytes: room, Source: source}
	}
	return h, true
}

// sharedLimit raises shared-limit when the level that leaves the least
// headroom is not the cgroup itself and the other cgroups below it use at
// least a tenth of its limit: what the cgroup may still use is shared.
func (ur *usageReader) sharedLimit(m *MemoryUsage) {
	r := ur.r
	h := m.Headroom
	if !h.Known || h.Source == SourceHierarchicalMemoryLimit || h.Source == r.placed[memoryIdx].loc.Path || !m.Current.Known {
		return
	}
	lv := r.levelAt(memoryIdx, h.Source)
	if lv == nil || lv.values.MemoryLimit.Status != own.Set {
		return
	}
	limit := lv.values.MemoryLimit.Value
	current := ur.current(lv.loc)
	if current.Status != own.Set {
		return
	}
	others, shared := sharedBy(limit, current.Value, m.Current.Value)
	if !shared {
		return
	}
	r.diag(CodeSharedLimit, "the memory limit of "+h.Source+", "+strconv.FormatUint(limit, 10)+
		" bytes, is shared: the other cgroups below it use "+strconv.FormatUint(others, 10)+
		" bytes of it, so this cgroup has "+strconv.FormatUint(h.Bytes, 10)+
		" bytes of headroom, not the limit minus its own usage")
}

// current returns the own usage (v2 memory.current, v1
// memory.usage_in_bytes) of the cgroup at loc, read at most once per
// report: the leaf's usage, both headrooms and shared-limit share it.
func (ur *usageReader) current(loc cgroup.Location) own.Number {
	for i := range ur.levels {
		if u := &ur.levels[i]; u.loc.Path == loc.Path && u.values.Current.Status != own.NotRead {
			return u.values.Current
		}
	}
	return ur.at(loc, own.Current).Current
}

// levelAt returns the level of controller i's walk at path, or nil.
func (r *reader) levelAt(i int, path string) *level {
	for j := range r.levels {
		if lv := &r.levels[j]; lv.controller == i && lv.loc.Path == path {
			return lv
		}
	}
	return nil
}

// cpuUsage reads the CPU time of the cgroup (v2 cpu.stat usage_usec, v1
// cpuacct.usage in the cpuacct hierarchy) and the throttling of the level
// that sets the CPU limit.
func (ur *usageReader) cpuUsage(c *CPUUsage) {
	r := ur.r
	p := r.placed[cpuIdx]
	if !p.found {
		return
	}
	if p.wanted == "" {
		if p.loc.Version == 2 {
			v := ur.at(p.loc, own.CPUCounters)
			c.UsageUsec = statCount(v.CPUStat.Status, v.CPUStat.V2.UsageUsec, v.CPUStat.V2.HasUsage)
		} else if acct, err := ur.find(r, "cpuacct"); err == nil && acct.found && acct.wanted == "" {
			if n := ur.at(acct.loc, own.CPUAcct).CPUAcct; n.Status == own.Set {
				c.UsageUsec = Count{Value: n.Value / 1000, Known: true}
			}
		}
	}
	l := r.res.CPU.Limit
	if l.State != Limited {
		return
	}
	t := ur.throttling()
	*t = Throttling{Source: l.Source}
	c.Throttling = t
	lv := r.levelAt(cpuIdx, l.Source)
	if lv == nil {
		return
	}
	v := ur.at(lv.loc, own.CPUCounters)
	periods, throttled, usec := tally.Throttling(v)
	t.Periods, t.ThrottledPeriods, t.ThrottledUsec = count(periods), count(throttled), count(usec)
}

// pressure reads the PSI files of the cgroup's cgroup2 directory: on v2,
// and on a hybrid host its 0:: cgroup in the unified mount.
func (ur *usageReader) pressure(ps *Pressures) {
	p, err := ur.find(ur.r, unifiedHierarchy)
	if err != nil || !p.found || p.wanted != "" || p.loc.Version != 2 {
		return
	}
	v := ur.at(p.loc, own.Pressure)
	ps.Memory, ps.CPU, ps.IO = ur.pressureOf(v.MemoryPSI, 0), ur.pressureOf(v.CPUPSI, 1), ur.pressureOf(v.IOPSI, 2)
}

// pressureOf is one PSI file's Pressure, nil when it was not read; i says
// which of the store's pressures a poller's sample fills.
func (ur *usageReader) pressureOf(f own.PressureFile, i int) *Pressure {
	if f.Status != own.Set {
		return nil
	}
	line := func(l cgv2.PressureLine) PressureLine {
		return PressureLine{Avg10: l.Avg10, Avg60: l.Avg60, Avg300: l.Avg300, TotalUsec: l.TotalUsec}
	}
	var p *Pressure
	var full *PressureLine
	if ur.store != nil {
		p, full = &ur.store.pressures[i], &ur.store.full[i]
	} else {
		p, full = new(Pressure), new(PressureLine)
	}
	*p = Pressure{Some: line(f.Pressure.Some)}
	if f.Pressure.HasFull {
		*full = line(f.Pressure.Full)
		p.Full = full
	}
	return p
}

// limitEvents and throttling return where a sample's LimitEvents and
// Throttling go: the store's, or new ones.
func (ur *usageReader) limitEvents() *LimitEvents {
	if ur.store != nil {
		return &ur.store.limitEvents
	}
	return new(LimitEvents)
}

func (ur *usageReader) throttling() *Throttling {
	if ur.store != nil {
		return &ur.store.throttling
	}
	return new(Throttling)
}

// eventsOf turns a level's memory events into MemoryEvents: v2
// memory.events, or v1 memory.failcnt (max) and memory.oom_control's
// oom_kill.
func eventsOf(v *own.UsageValues) MemoryEvents {
	high, max, oom, oomKill := tally.MemoryEvents(v)
	return MemoryEvents{High: count(high), Max: count(max), OOM: count(oom), OOMKill: count(oomKill)}
}

// count is a tally.Counter as a Count.
func count(c tally.Counter) Count { return Count{Value: c.Value, Known: c.Known} }

// countOf is a usage file's number, known when it was read and parsed.
func countOf(n own.Number) Count { return Count{Value: n.Value, Known: n.Status == own.Set} }

// statCount is a key of a parsed file: known when the file was read and
// parsed and the key was there.
func statCount(s own.Status, v uint64, has bool) Count {
	return Count{Value: v, Known: s == own.Set && has}
}

// clampedDifference is a - b clamped at 0, known when both are.
func clampedDifference(a, b own.Number) Count {
	if a.Status != own.Set || b.Status != own.Set {
		return Count{}
	}
	return Count{Value: a.Value - min(a.Value, b.Value), Known: true}
}

// usageLevel is one cgroup whose usage files a report read.
type usageLevel struct {
	loc    cgroup.Location
	values own.UsageValues
}
