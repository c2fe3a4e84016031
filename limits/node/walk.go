package node

import (
	"bytes"
	"errors"
	"io/fs"
	"slices"
	"strings"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/readfile"
	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/internal/effective"
	"github.com/truelimit/truelimit/limits/internal/hidden"
	"github.com/truelimit/truelimit/limits/internal/own"
	"github.com/truelimit/truelimit/limits/internal/under"
)

// span locates one name in scanner.names.
type span struct{ start, end int }

// useLinkCounts lets Scan skip listing directories whose link count says
// they have no subdirectories; tests turn it off to cover the other path.
var useLinkCounts = true

// traceRead, when set (by tests), is told the NUL-terminated path of every
// file Scan reads, to count them and to replay them as an I/O baseline.
var traceRead func(path []byte)

// scanner walks hierarchies top-down. It reuses one read buffer, one
// directory-entry buffer and one arena of child names for the whole scan,
// so a cgroup costs the allocation of its path and its place in the answer.
// It is not safe for concurrent use; each Scan has its own.
type scanner struct {
	root  string
	dir   *readfile.Root // opens the top of each hierarchy beneath the root
	h     hierarchy
	ents  []byte // getdents64 records
	names []byte // the names of the children of every directory on the walk
	spans []span
	// cgPath is the cgroup path of the directory being read ("" for "/")
	// and absDir that directory under the root, for messages and the trace.
	cgPath []byte
	absDir []byte
	trace  []byte
	// own reads each cgroup's own files into one buffer, parsing each
	// distinct cpu list once: the cgroups of a node share a handful.
	own *own.Reader
	// cur is the cgroup own is reading.
	cur dir
	// countSubdirs says a directory's link count tells how many
	// subdirectories it has, on this hierarchy's filesystem.
	countSubdirs bool
	// scope is the scope of the hierarchy's effective values, per
	// controller, set where its top visible cgroup is read (topScope), and
	// topHierarchical says that the top's v1 memory.stat has
	// hierarchical_memory_limit, which counts the levels hidden above it.
	scope           scopes
	topHierarchical bool
	out             cgroupChunks
	diags           *[]limits.Diagnostic
	// views finds the process views of the leaves (WithProcessViews); nil
	// without the option.
	views *views
	// usage holds the cgroups' usage (WithUsage); nil without the option.
	usage *blocks[CgroupUsage]
	// counters holds the cgroups' counters (WithCounters); nil without
	// the option.
	counters *blocks[CgroupCounters]
}

// lineage is what a cgroup inherits from the levels above it: their chain,
// whether a v1 memory.use_hierarchy of 0 (or unreadable) cut the memory
// limits of some of them off from it, so that the levels above the top
// visible cgroup cannot bind its memory either, and with WithUsage the room
// their memory limits leave.
type lineage struct {
	chain     effective.Chain
	memoryCut bool
	room      room
}

func newScanner(root string, diags *[]limits.Diagnostic) *scanner {
	return &scanner{
		root:   root,
		ents:   make([]byte, 16<<10),
		names:  make([]byte, 0, 4096),
		spans:  make([]span, 0, 256),
		cgPath: make([]byte, 0, 512),
		absDir: make([]byte, 0, 512),
		own:    newOwnReader(),
		diags:  diags,
	}
}

// walk scans one hierarchy: first the ancestors of the top, from the top
// visible cgroup down, read but not reported; then the top and everything
// below it. It returns the hierarchy's cgroups in path order.
func (s *scanner) walk(h hierarchy) ([]Cgroup, error) {
	s.h, s.out = h, cgroupChunks{}
	mount := h.loc.Mount
	s.absDir = append(s.absDir[:0], under.Prefix(s.root)...)
	if mount.MountPoint != "/" {
		s.absDir = append(s.absDir, mount.MountPoint...)
	}
	s.cgPath = append(s.cgPath[:0], strings.TrimSuffix(mount.Root, "/")...)
	d, err := openDir(s.dir, pathOrSlash(s.absDir))
	if err != nil {
		return nil, err
	}
	s.countSubdirs = useLinkCounts && d.linksCountSubdirs()
	path := mount.Root
	if s.views != nil {
		s.views.levels = s.views.levels[:0]
	}
	var parent lineage
	for rest := h.loc.Rel(); rest != ""; {
		var name string
		name, rest = nextComponent(rest)
		_, _, _, parent = s.readOwn(d, path, &parent, true, false)
		child, err := d.child([]byte(name))
		d.close()
		if err != nil {
			return nil, err
		}
		d = child
		s.cgPath = append(append(s.cgPath, '/'), name...)
		s.absDir = append(append(s.absDir, '/'), name...)
		path = string(s.cgPath)
	}
	s.visit(d, path, &parent, -1)
	d.close()
	return s.out.flatten(), nil
}

// cgroupChunks collects the answer in blocks of fixed size, so that a tree
// of any size is copied once, into a slice of its exact size, rather than
// on every growth of one slice.
type cgroupChunks struct {
	full [][]Cgroup
	last []Cgroup
	n    int
}

const chunkSize = 512

func (c *cgroupChunks) add(cg Cgroup) {
	if len(c.last) == cap(c.last) {
		if c.last != nil {
			c.full = append(c.full, c.last)
		}
		c.last = make([]Cgroup, 0, chunkSize)
	}
	c.last = append(c.last, cg)
	c.n++
}

func (c *cgroupChunks) flatten() []Cgroup {
	if len(c.full) == 0 {
		return c.last
	}
	out := make([]Cgroup, 0, c.n)
	for _, chunk := range c.full {
		out = append(out, chunk...)
	}
	return append(out, c.last...)
}

// nextComponent splits "/a/b" into "a" and "/b".
func nextComponent(rel string) (name, rest string) {
	rel = rel[1:]
	if i := strings.IndexByte(rel, '/'); i >= 0 {
		return rel[:i], rel[i:]
	}
	return rel, ""
}

func pathOrSlash(p []byte) string {
	if len(p) == 0 {
		return "/"
	}
	return string(p)
}

// visit reports the cgroup at d and, depth first, every cgroup below it,
// children in name order so that the answer comes out sorted. subdirs is
// how many subdirectories d has, -1 if unknown; a directory without any is
// not listed.
func (s *scanner) visit(d dir, path string, parent *lineage, subdirs int) {
	first, namesStart := len(s.spans), len(s.names)
	if subdirs != 0 {
		var err error
		s.names, s.spans, err = d.subdirs(s.ents, s.names, s.spans, subdirs)
		if err != nil {
			s.diag(limits.CodeReadError, "cannot list "+pathOrSlash(s.absDir)+": "+err.Error()+"; cgroups below it are missing")
		}
	}
	last := len(s.spans)
	mine, current, c, below := s.readOwn(d, path, parent, last > first, true)
	cg := Cgroup{Path: path, Own: mine, Effective: s.effective(d, &c)}
	if s.usage != nil && s.h.ctl&memoryCtl != 0 {
		cg.Usage = s.usage.add(CgroupUsage{Current: countOf(current), Headroom: c.room.headroom(cg.Effective.Memory, current)})
	}
	if s.counters != nil && s.h.ctl&(memoryCtl|cpuCtl) != 0 {
		s.cur = d
		cg.Counters = s.counters.add(s.readCounters())
	}
	if s.views != nil && last == first {
		cg.Process = s.processView(d, path, &cg.Effective)
	}
	s.out.add(cg)
	slices.SortFunc(s.spans[first:last], func(a, b span) int {
		return bytes.Compare(s.names[a.start:a.end], s.names[b.start:b.end])
	})
	cgLen, absLen := len(s.cgPath), len(s.absDir)
	for i := first; i < last; i++ {
		name := s.names[s.spans[i].start:s.spans[i].end]
		s.cgPath = append(append(s.cgPath, '/'), name...)
		s.absDir = append(append(s.absDir, '/'), name...)
		n := -1
		if s.countSubdirs {
			n = d.subdirCount(name)
		}
		child, err := d.within(name), error(nil)
		if n != 0 {
			child, err = d.child(name)
		}
		switch {
		case err == nil:
			s.visit(child, string(s.cgPath), &below, n)
			child.close()
		case !isNotExist(err): // a cgroup removed since the listing is simply gone
			s.diag(limits.CodeReadError, "cannot open "+string(s.absDir)+": "+err.Error()+"; it and the cgroups below it are missing")
		}
		s.cgPath, s.absDir = s.cgPath[:cgLen], s.absDir[:absLen]
	}
	s.spans, s.names = s.spans[:first], s.names[:namesStart]
	if s.views != nil {
		s.views.levels = s.views.levels[:len(s.views.levels)-1]
	}
}

// ReadFile reads one interface file of the cgroup being read, s.cur: it is
// own.Dir's method, so that package own reads the cgroups the scan visits.
func (s *scanner) ReadFile(name string, buf []byte) ([]byte, error) {
	if traceRead != nil {
		s.trace = append(append(append(append(s.trace[:0], s.absDir...), '/'), name...), 0)
		traceRead(s.trace)
	}
	return s.cur.readFile(name, buf, own.MaxInterfaceFile, s.root != "/")
}

// readOwn reads the own files of the cgroup at d for the hierarchy's
// controllers and returns its own limits, its memory usage (WithUsage), its
// lineage (the chain from it up to the top visible cgroup), and the lineage
// its children inherit; parent is its parent's. hasChildren says whether it
// has subdirectories: on v1 only then is memory.use_hierarchy read, for the
// children's chain. reported says that the cgroup is in the answer; of an
// ancestor of the scan's top, the usage is read only where its memory limit
// is set, for the headroom. Files that cannot be read or parsed become
// diagnostics. Read at the top visible cgroup, the first of the walk, its
// values set the hierarchy's scope.
func (s *scanner) readOwn(d dir, path string, parent *lineage, hasChildren, reported bool) (mine Limits, current own.Number, c, below lineage) {
	v1 := s.h.loc.Version == 1
	isTop := path == s.h.loc.Mount.Root
	ctl := s.h.ctl
	var want own.Want
	if ctl&memoryCtl != 0 {
		want |= own.MemoryLimit
		switch {
		case !v1:
			want |= own.MemoryHigh
		case isTop:
			// The top visible cgroup's hierarchical_memory_limit sees the
			// ancestors hidden above it, for every cgroup below it too
			// (Documentation/admin-guide/cgroup-v1/memory.rst, 5.2).
			want |= own.MemoryStat
		}
		if v1 && hasChildren {
			want |= own.UseHierarchy
		}
	}
	if ctl&cpuCtl != 0 {
		want |= own.CPUQuota
	}
	if ctl&cpusetCtl != 0 {
		want |= own.CPUSet
	}
	if ctl&pidsCtl != 0 {
		want |= own.Pids
	}
	var v own.Values
	s.cur = d
	s.own.Read(s, s.h.loc.Version, want, &v)
	if v.Failed() {
		v.Problems(pathOrSlash(s.absDir), s.report)
	}
	if isTop {
		s.scope = s.topScopes(&v)
		s.topHierarchical = v.MemoryStat.Status == own.Set && v.MemoryStat.Limits.HasHierarchicalMemoryLimit
	}
	if s.views != nil {
		s.views.levels = append(s.views.levels, level{path: path, values: v})
	}

	c = *parent
	c.chain.Add(&v, path, effective.Down)
	if ctl&memoryCtl != 0 {
		mine.Memory = ownLimit(v.MemoryLimit, path)
		if !v1 {
			mine.High = ownLimit(v.MemoryHigh, path)
		}
		if s.usage != nil && (reported || v.MemoryLimit.Status == own.Set) {
			current = s.readCurrent()
			c.room.add(v.MemoryLimit, current, path)
		}
	}
	if ctl&cpuCtl != 0 {
		mine.CPU = ownCPU(v.CPUQuota, path)
	}
	if ctl&cpusetCtl != 0 {
		switch v.CPUSet.Status {
		case own.Set:
			mine.CPUSet = limits.CPUSetLimit{State: limits.Limited, CPUs: v.CPUSet.Set, Source: path}
		case own.Absent:
			mine.CPUSet = limits.CPUSetLimit{State: limits.Unlimited}
		}
	}
	if ctl&pidsCtl != 0 {
		mine.Pids = ownLimit(v.Pids, path)
	}
	below = lineage{chain: c.chain.Below(&v), memoryCut: c.memoryCut || !effective.BindsDescendants(v.UseHierarchy),
		room: c.room.below(v.UseHierarchy)}
	return mine, current, c, below
}

// scopes are the scopes of one hierarchy's effective values, by controller.
type scopes struct{ memory, cpu, pids limits.Scope }

// topScopes says whether the top visible cgroup, whose own values are v, is
// provably the host's root cgroup (limits.ScopeEffective) or may have
// hidden ancestors (limits.ScopeVisible), for each controller by the rule
// limits.ForCgroup applies at the top of that controller's walk: the
// hierarchy is mounted from another cgroup, the top has that controller's
// file the root cgroup cannot have (hidden.RootLacks), or, on the live
// system, the reader is in a cgroup namespace of its own. (On a tree the
// kernel made, a top that has one such file has those of every controller
// enabled there, so per controller and per hierarchy agree.)
func (s *scanner) topScopes(v *own.Values) scopes {
	hiddenAll := s.h.loc.Mount.Root != "/" || (s.root == "/" && hidden.ForeignCgroupNamespace() != "")
	lacks := hidden.RootLacks(v)
	scope := func(file hidden.Lacks) limits.Scope {
		if hiddenAll || lacks&file != 0 {
			return limits.ScopeVisible
		}
		return limits.ScopeEffective
	}
	return scopes{memory: scope(hidden.TopMemoryLimit), cpu: scope(hidden.TopCPUQuota), pids: scope(hidden.TopPids)}
}

// ownLimit is what a cgroup's own limit file says: Limited with the cgroup
// as source, Unlimited for "max" or no file, Unknown when it failed.
func ownLimit(n own.Number, path string) limits.Limit {
	switch n.Status {
	case own.Set:
		return limits.Limit{State: limits.Limited, Value: n.Value, Source: path}
	case own.Unlimited, own.Absent:
		return limits.Limit{State: limits.Unlimited}
	}
	return limits.Limit{}
}

// ownCPU is ownLimit for a CPU quota.
func ownCPU(q own.Quota, path string) limits.CPULimit {
	switch q.Status {
	case own.Set:
		return limits.CPULimit{State: limits.Limited, Quota: q.Quota, Period: q.Period, Source: path}
	case own.Unlimited, own.Absent:
		return limits.CPULimit{State: limits.Unlimited}
	}
	return limits.CPULimit{}
}

// effective turns the lineage of the cgroup at d into its effective limits,
// with their scope: the hierarchy's, but a v1 memory limit below a
// memory.use_hierarchy cut, or settled by the top's
// hierarchical_memory_limit, is effective.
func (s *scanner) effective(d dir, l *lineage) (eff Limits) {
	ctl, c := s.h.ctl, &l.chain
	mem, cpu, pids := s.enabled(d, c)
	if ctl&memoryCtl != 0 {
		if s.h.loc.Version == 2 {
			eff.Memory, eff.High = limitOf(c.Memory(mem), s.scope.memory), limitOf(c.High(mem), s.scope.memory)
		} else {
			scope := s.scope.memory
			if l.memoryCut || s.topHierarchical {
				scope = limits.ScopeEffective
			}
			eff.Memory = limitOf(c.Memory(mem), scope)
		}
	}
	if ctl&cpuCtl != 0 {
		eff.CPU = cpuLimitOf(c.CPU(cpu), s.scope.cpu)
	}
	if ctl&cpusetCtl != 0 {
		set := c.CPUSet()
		eff.CPUSet = limits.CPUSetLimit{State: limits.State(set.State), CPUs: set.Set, Source: set.Source}
	}
	if ctl&pidsCtl != 0 {
		eff.Pids = limitOf(c.Pids(pids), s.scope.pids)
	}
	return eff
}

func limitOf(b effective.Bytes, scope limits.Scope) limits.Limit {
	return limits.Limit{State: limits.State(b.State), Value: b.Value, Source: b.Source, Scope: scope}
}

func cpuLimitOf(q effective.Quota, scope limits.Scope) limits.CPULimit {
	return limits.CPULimit{State: limits.State(q.State), Quota: q.Quota, Period: q.Period, Source: q.Source, Scope: scope}
}

// enabled says whether memory, cpu and pids are enabled for the cgroup at
// d: always on v1. On v2 it matters only where no level of the chain c has
// the controller's limit file (unlimited if enabled, as at the root cgroup,
// which has none; unknown if not), so cgroup.controllers is read only then.
func (s *scanner) enabled(d dir, c *effective.Chain) (mem, cpu, pids bool) {
	if s.h.loc.Version == 1 {
		return true, true, true
	}
	ctl := s.h.ctl
	memory, quota, count := c.Undecided()
	if !(ctl&memoryCtl != 0 && memory) && !(ctl&cpuCtl != 0 && quota) && !(ctl&pidsCtl != 0 && count) {
		return false, false, false
	}
	var v own.Values
	s.cur = d
	s.own.Read(s, 2, own.Controllers, &v)
	if v.Failed() {
		v.Problems(pathOrSlash(s.absDir), s.report)
	}
	return v.Controllers.Memory, v.Controllers.CPU, v.Controllers.Pids
}

// report adds a diagnostic of package own's.
func (s *scanner) report(code, msg string) { s.diag(limits.Code(code), msg) }

// diag adds a diagnostic.
func (s *scanner) diag(code limits.Code, msg string) {
	*s.diags = append(*s.diags, limits.Diagnostic{Code: code, Message: msg})
}

// newOwnReader returns the reader of a scan, which parses each distinct cpu
// list once.
func newOwnReader() *own.Reader {
	r := own.NewReader(4096)
	r.CPUSets = make(map[string]cgroup.CPUSet)
	return r
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
