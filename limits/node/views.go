package node

import (
	"math"
	"strconv"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/cgpath"
	"github.com/truelimit/truelimit/internal/parse"
	"github.com/truelimit/truelimit/internal/readfile"
	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/internal/effective"
	"github.com/truelimit/truelimit/limits/internal/hidden"
	"github.com/truelimit/truelimit/limits/internal/own"
	"github.com/truelimit/truelimit/limits/internal/under"
)

// views finds the process views of a scan's leaf cgroups (WithProcessViews).
type views struct {
	// levels are the own values of the cgroups from the top visible
	// cgroup down to the one being read, for what a process sees from its
	// own top down.
	levels []level
	// procs are the processes read, by PID, nil for one that could not
	// be: on v1 each hierarchy's walk comes back to the same ones.
	procs map[int]*process
	// pids is the PID found in each leaf, which the next hierarchy's walk
	// tries first (v1), so that one process speaks for the cgroup.
	pids   map[string]int
	buf    []byte
	path   []byte // R/proc/<pid>/<file>, NUL-terminated
	mounts []cgroup.Mount
}

func newViews() *views {
	return &views{procs: make(map[int]*process), pids: make(map[string]int), buf: make([]byte, 0, 16<<10)}
}

// level is one cgroup on the way down and its own values.
type level struct {
	path   string
	values own.Values
}

// viewed are the controllers whose limits a process view checks, in the
// order of ProcessView.Hidden.
var viewed = [...]controllers{memoryCtl, cpuCtl, pidsCtl}

// Indexes in viewed.
const (
	viewMemory = iota
	viewCPU
	viewPids
)

// process is what the reader can tell of one process: its cgroups, and
// per viewed controller the top cgroup it can see, when that can be told.
type process struct {
	members []cgroup.Membership
	tops    [len(viewed)]hidden.Top
	known   [len(viewed)]bool
}

// in reports whether the process is in the cgroup path of the hierarchy h.
func (p *process) in(h hierarchy, path string) bool {
	for _, m := range p.members {
		if m.IsV2() == (h.loc.Version == 2) && (m.IsV2() || hasAnyController(m, h.ctl)) {
			return m.Path == path
		}
	}
	return false
}

// hasAnyController reports whether the v1 hierarchy of a /proc/<pid>/cgroup
// line binds one of the controllers in ctl.
func hasAnyController(m cgroup.Membership, ctl controllers) bool {
	for _, one := range allControllers {
		if ctl&one != 0 && m.HasController(one.String()) {
			return true
		}
	}
	return false
}

// process returns the process pid, reading it on first use; nil when it
// cannot be read.
func (v *views) process(s *scanner, pid int) *process {
	p, ok := v.procs[pid]
	if !ok {
		p = v.readProcess(s, pid)
		v.procs[pid] = p
	}
	return p
}

// readProcess reads R/proc/<pid>/mountinfo and R/proc/<pid>/cgroup, each
// resolved beneath the root as R/proc/self/mountinfo is, and finds the top
// the process can see of each viewed controller's hierarchy
// (hidden.TopOf). nil when either cannot be read or parsed: the process
// exited, or the reader may not look (EACCES).
func (v *views) readProcess(s *scanner, pid int) *process {
	v.path = strconv.AppendInt(append(append(v.path[:0], under.Prefix(s.root)...), "/proc/"...), int64(pid), 10)
	dir := len(v.path)
	v.path = append(v.path, "/mountinfo\x00"...)
	data, err := s.dir.Read(v.path, v.buf, maxMountInfo, readfile.AtEOF)
	v.buf = data
	if err != nil {
		return nil
	}
	if v.mounts, err = cgroup.AppendMountInfo(v.mounts[:0], data); err != nil {
		return nil
	}
	v.path = append(v.path[:dir], "/cgroup\x00"...)
	data, err = s.dir.Read(v.path, v.buf, maxMountInfo, readfile.AtEOF)
	v.buf = data
	if err != nil {
		return nil
	}
	p := &process{}
	if p.members, err = cgroup.AppendProcCgroup(nil, data); err != nil {
		return nil
	}
	for i, ctl := range viewed {
		p.tops[i], p.known[i] = hidden.TopOf(v.mounts, p.members, ctl.String())
	}
	return p
}

// leafProcess finds the process of the leaf cgroup at d: the one a walk of
// another hierarchy found at path if it is in this cgroup here too, else the
// first one the cgroup's cgroup.procs lists, if it is in the cgroup when
// its /proc/<pid>/cgroup is read. 0 and nil when there is none.
func (s *scanner) leafProcess(d dir, path string) (int, *process) {
	v := s.views
	if pid, ok := v.pids[path]; ok {
		if p := v.process(s, pid); p != nil && p.in(s.h, path) {
			return pid, p
		}
	}
	s.cur = d
	data, err := s.ReadFile("cgroup.procs", v.buf)
	v.buf = data
	if err != nil {
		return 0, nil
	}
	pid := firstPID(data)
	if pid == 0 {
		return 0, nil
	}
	p := v.process(s, pid)
	if p == nil || !p.in(s.h, path) {
		return 0, nil
	}
	if _, ok := v.pids[path]; !ok {
		v.pids[path] = pid
	}
	return pid, p
}

// firstPID returns the first PID of a cgroup.procs other than 0 (a process
// outside the reader's PID namespace), or 0 when it lists none or holds
// anything but PIDs.
func firstPID(data []byte) int {
	for len(data) > 0 {
		var line []byte
		line, data = parse.NextLine(data)
		if len(parse.TrimSpace(line)) == 0 {
			continue
		}
		pid, err := parse.Uint(line)
		if err != nil || pid > math.MaxInt32 {
			return 0
		}
		if pid > 0 {
			return int(pid)
		}
	}
	return 0
}

// processView returns the view of the process of the leaf cgroup at d,
// whose effective limits in this hierarchy are eff, or nil when it has no
// process that can be read. A v1 cpuset hierarchy has no limit to hide.
func (s *scanner) processView(d dir, path string, eff *Limits) *ProcessView {
	if s.h.ctl&^cpusetCtl == 0 {
		return nil
	}
	pid, p := s.leafProcess(d, path)
	if p == nil {
		return nil
	}
	view := &ProcessView{PID: pid}
	sees := seenBy{s: s, d: d}
	// hiddenTop returns the top of the process's mount of viewed[i]'s
	// hierarchy when the limit source set (state Limited) binds the
	// process but is above that top, out of its sight.
	hiddenTop := func(i int, state limits.State, source string) (hidden.Top, bool) {
		top := p.tops[i]
		// hierarchical_memory_limit counts levels above the top: the
		// process reads it too.
		if state != limits.Limited || source == effective.SourceHierarchicalMemoryLimit || !p.known[i] || top.Sees(source) {
			return top, false
		}
		return top, true
	}
	add := func(limit string, i int, c hidden.Clause) {
		c.Controller = viewed[i].String()
		view.Hidden = append(view.Hidden, limit)
		view.clauses = append(view.clauses, c)
	}
	// bytesLimit checks a byte or count limit, of which value picks the
	// effective value from a chain.
	bytesLimit := func(limit, what, unit string, i int, l limits.Limit, set *limits.Limit,
		value func(c *effective.Chain, en enabled) effective.Bytes) {
		top, ok := hiddenTop(i, l.State, l.Source)
		// A v1 process with a memory mount reads
		// hierarchical_memory_limit in its own memory.stat, which counts
		// every level above it.
		if !ok || (i == viewMemory && s.h.loc.Version == 1 && top.Mounted) {
			return
		}
		c, en := sees.chain(top)
		b := value(c, en)
		*set = limitOf(b, limits.ScopeVisible)
		add(limit, i, hidden.Clause{What: what, Top: top, Sees: hidden.Bytes(b, unit),
			Applies: hidden.Bytes(effective.Bytes{State: effective.Limited, Value: l.Value, Source: l.Source}, unit)})
	}
	if s.h.ctl&memoryCtl != 0 {
		bytesLimit(LimitMemory, "memory limit", "bytes", viewMemory, eff.Memory, &view.Sees.Memory,
			func(c *effective.Chain, en enabled) effective.Bytes { return c.Memory(en.memory) })
		bytesLimit(LimitMemoryHigh, "memory.high", "bytes", viewMemory, eff.High, &view.Sees.High,
			func(c *effective.Chain, en enabled) effective.Bytes { return c.High(en.memory) })
	}
	if q := eff.CPU; s.h.ctl&cpuCtl != 0 {
		if top, ok := hiddenTop(viewCPU, q.State, q.Source); ok {
			c, en := sees.chain(top)
			seen := c.CPU(en.cpu)
			view.Sees.CPU = cpuLimitOf(seen, limits.ScopeVisible)
			add(LimitCPU, viewCPU, hidden.Clause{What: "CPU limit", Top: top, Sees: hidden.CPUs(seen),
				Applies: hidden.CPUs(effective.Quota{State: effective.Limited, Quota: q.Quota, Period: q.Period, Source: q.Source})})
		}
	}
	if s.h.ctl&pidsCtl != 0 {
		bytesLimit(LimitPids, "pids limit", "", viewPids, eff.Pids, &view.Sees.Pids,
			func(c *effective.Chain, en enabled) effective.Bytes { return c.Pids(en.pids) })
	}
	return view
}

// enabled says which controllers are enabled for a cgroup.
type enabled struct{ memory, cpu, pids bool }

// seenBy is what the process of the leaf being read sees from a top down:
// the chain of the levels at or below it, computed once per top.
type seenBy struct {
	s    *scanner
	d    dir
	top  hidden.Top
	c    effective.Chain
	en   enabled
	done bool
}

// chain returns the chain of the levels from top down to the leaf, as the
// scan's own chains are built, and the controllers enabled for the leaf
// where that decides between unlimited and unknown. With no mount of the
// hierarchy the process sees no level.
func (b *seenBy) chain(top hidden.Top) (*effective.Chain, enabled) {
	if b.done && b.top == top {
		return &b.c, b.en
	}
	b.top, b.c, b.done = top, effective.Chain{}, true
	levels := b.s.views.levels
	for i := range levels {
		if !top.Mounted || !cgpath.Within(levels[i].path, top.Path) {
			continue
		}
		if i > 0 && cgpath.Within(levels[i-1].path, top.Path) {
			b.c = b.c.Below(&levels[i-1].values)
		}
		b.c.Add(&levels[i].values, levels[i].path, effective.Down)
	}
	b.en.memory, b.en.cpu, b.en.pids = b.s.enabled(b.d, &b.c)
	return &b.c, b.en
}

// addProcessDiagnostics adds one limit-hidden-from-process diagnostic for
// each cgroup whose process cannot see a limit that binds it, in path
// order, and drops the sentences the views kept for it.
func (t *Tree) addProcessDiagnostics() {
	for i := range t.Cgroups {
		cg := &t.Cgroups[i]
		if v := cg.Process; v != nil && len(v.clauses) > 0 {
			t.Diagnostics = append(t.Diagnostics, limits.Diagnostic{Code: limits.CodeLimitHiddenFromProcess,
				Message: "cgroup " + cg.Path + " (pid " + strconv.Itoa(v.PID) + "): " + hidden.Message(v.clauses)})
			v.clauses = nil
		}
	}
}
