package node

import (
	"bytes"
	"math"
	"slices"
	"strings"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/limits"
	v2 "github.com/truelimit/truelimit/v2"
)

// maxInterfaceFile bounds one read: interface files are small.
const maxInterfaceFile = 64 << 10

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
	h     hierarchy
	buf   []byte // file contents, reused from read to read
	ents  []byte // getdents64 records
	names []byte // the names of the children of every directory on the walk
	spans []span
	// cgPath is the cgroup path of the directory being read ("" for "/")
	// and absDir that directory under the root, for messages and the trace.
	cgPath []byte
	absDir []byte
	trace  []byte
	// cpusets holds each distinct cpuset list parsed, by content: the cgroups
	// of a node share a handful, and parsing one allocates.
	cpusets map[string]cgroup.CPUSet
	// hierarchical is v1 memory.stat hierarchical_memory_limit of the top
	// visible cgroup, which sees the ancestors hidden above it.
	hierarchical uint64
	// countSubdirs says a directory's link count tells how many
	// subdirectories it has, on this hierarchy's filesystem.
	countSubdirs bool
	out          cgroupChunks
	diags        *[]limits.Diagnostic
}

func newScanner(root string, diags *[]limits.Diagnostic) *scanner {
	return &scanner{
		root:    root,
		buf:     make([]byte, 0, 4096),
		ents:    make([]byte, 16<<10),
		names:   make([]byte, 0, 4096),
		spans:   make([]span, 0, 256),
		cgPath:  make([]byte, 0, 512),
		absDir:  make([]byte, 0, 512),
		cpusets: make(map[string]cgroup.CPUSet),
		diags:   diags,
	}
}

// walk scans one hierarchy: first the ancestors of the top, from the top
// visible cgroup down, read but not reported; then the top and everything
// below it. It returns the hierarchy's cgroups in path order.
func (s *scanner) walk(h hierarchy) ([]Cgroup, error) {
	s.h, s.out, s.hierarchical = h, cgroupChunks{}, math.MaxUint64
	mount := h.loc.Mount
	s.absDir = s.absDir[:0]
	if s.root != "/" {
		s.absDir = append(s.absDir, strings.TrimRight(s.root, "/")...)
	}
	if mount.MountPoint != "/" {
		s.absDir = append(s.absDir, mount.MountPoint...)
	}
	s.cgPath = append(s.cgPath[:0], strings.TrimSuffix(mount.Root, "/")...)
	d, err := openDir(pathOrSlash(s.absDir))
	if err != nil {
		return nil, err
	}
	s.countSubdirs = useLinkCounts && d.linksCountSubdirs()
	path := mount.Root
	parent := chain{reachesTop: true}
	for rest := h.loc.Rel(); rest != ""; {
		var name string
		name, rest = nextComponent(rest)
		_, c := s.readOwn(d, path, &parent)
		parent = s.passDown(d, c, true)
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
func (s *scanner) visit(d dir, path string, parent *chain, subdirs int) {
	first, namesStart := len(s.spans), len(s.names)
	if subdirs != 0 {
		var err error
		s.names, s.spans, err = d.subdirs(s.ents, s.names, s.spans, subdirs)
		if err != nil {
			s.diag(limits.CodeReadError, "cannot list "+pathOrSlash(s.absDir)+": "+err.Error()+"; cgroups below it are missing")
		}
	}
	last := len(s.spans)
	own, c := s.readOwn(d, path, parent)
	s.out.add(Cgroup{Path: path, Own: own, Effective: s.effective(d, &c)})
	below := s.passDown(d, c, last > first)
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
}

// readOwn reads the own files of the cgroup at d for the hierarchy's
// controllers and returns its own limits and the chain from it up to the top
// visible cgroup. parent is what the parent passed down.
func (s *scanner) readOwn(d dir, path string, parent *chain) (own Limits, c chain) {
	c = *parent
	v1 := s.h.loc.Version == 1
	ctl := s.h.ctl
	if ctl&memoryCtl != 0 {
		if v1 {
			own.Memory = s.readV1Limit(d, path)
			c.memory.add(own.Memory, own.Memory.State != limits.Unknown)
			if path == s.h.loc.Mount.Root {
				s.readHierarchical(d)
			}
		} else {
			var present bool
			own.Memory, present = s.readMax(d, v2.MemoryMax, path)
			c.memory.add(own.Memory, present)
			own.High, present = s.readMax(d, v2.MemoryHigh, path)
			c.high.add(own.High, present)
		}
	}
	if ctl&cpuCtl != 0 {
		var present bool
		if v1 {
			own.CPU, present = s.readCFS(d, path)
		} else {
			own.CPU, present = s.readCPUMax(d, path)
		}
		c.cpu.add(own.CPU, present)
	}
	if ctl&cpusetCtl != 0 {
		var present bool
		own.CPUSet, present = s.readCPUSet(d, path, v1)
		if present {
			c.cpuset = own.CPUSet
		}
	}
	if ctl&pidsCtl != 0 {
		b, present := s.readMax(d, v2.PidsMax, path)
		c.pids.add(b, present)
		own.Pids = count(b)
	}
	return own, c
}

// effective turns the chain of the cgroup at d into its effective limits.
func (s *scanner) effective(d dir, c *chain) (eff Limits) {
	v1 := s.h.loc.Version == 1
	ctl := s.h.ctl
	mem, cpu, pids := true, true, true
	if !v1 {
		mem, cpu, pids = s.enabled(d, c)
	}
	if ctl&memoryCtl != 0 {
		eff.Memory = c.memory.result(mem)
		if v1 && c.reachesTop {
			eff.Memory = withHierarchical(eff.Memory, s.hierarchical)
		} else if !v1 {
			eff.High = c.high.result(mem)
		}
	}
	if ctl&cpuCtl != 0 {
		eff.CPU = c.cpu.result(cpu)
	}
	if ctl&cpusetCtl != 0 {
		eff.CPUSet = c.cpuset
	}
	if ctl&pidsCtl != 0 {
		eff.Pids = count(c.pids.result(pids))
	}
	return eff
}

// passDown returns the chain the children of the cgroup at d inherit: its
// own, except that on v1 memory.use_hierarchy decides whether the memory
// limits reach them.
func (s *scanner) passDown(d dir, c chain, hasChildren bool) chain {
	if s.h.loc.Version == 1 && s.h.ctl&memoryCtl != 0 && hasChildren {
		s.passMemoryDown(d, &c)
	}
	return c
}

// enabled says, for a v2 cgroup, whether memory, cpu and pids are enabled
// for it. It matters only where no level of the walk has the controller's
// limit file (unlimited if enabled, as at the root cgroup, which has none;
// unknown if not), so cgroup.controllers is read only then.
func (s *scanner) enabled(d dir, c *chain) (mem, cpu, pids bool) {
	ctl := s.h.ctl
	need := (ctl&memoryCtl != 0 && (c.memory.undecided() || c.high.undecided())) ||
		(ctl&cpuCtl != 0 && c.cpu.undecided()) || (ctl&pidsCtl != 0 && c.pids.undecided())
	if !need {
		return false, false, false
	}
	data, found, _ := s.read(d, v2.Controllers)
	if !found {
		return false, false, false
	}
	return hasController(data, memoryCtl), hasController(data, cpuCtl), hasController(data, pidsCtl)
}

// diag adds a diagnostic.
func (s *scanner) diag(code limits.Code, msg string) {
	*s.diags = append(*s.diags, limits.Diagnostic{Code: code, Message: msg})
}
