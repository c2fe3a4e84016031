package limits

import (
	"bytes"
	"errors"
	"runtime"
	"slices"

	"github.com/truelimit/truelimit/internal/readfile"
	"github.com/truelimit/truelimit/limits/internal/own"
	cgv1 "github.com/truelimit/truelimit/v1"
)

// ErrCgroupsChanged is returned by UsagePoller.Poll when a file kept open
// stopped reading: the cgroup was removed (or the process moved and the old
// cgroup went away). The values read are partial; make a new poller.
var ErrCgroupsChanged = errors.New("limits: a polled cgroup file stopped reading; poll again with a new UsagePoller")

// UsagePoller samples the usage of the calling process's cgroups, located
// once, for a loop that polls (a monitor, a load shedder): every file a
// sample reads is kept open and re-read with one pread, and a sample
// allocates nothing once the first has run. It reads what DetectUsage
// reads, without the diagnostics, and re-reads the limits the headroom is
// computed against, so a resize shows at the next sample; it does not
// follow a move into another cgroup (make a new poller). It is not safe for
// concurrent use; Close releases the files.
type UsagePoller struct {
	r       reader
	open    *openFiles
	beneath readfile.Beneath
	// placed are the cgroups located at the start; acct and unified the
	// process's cpuacct and cgroup2 cgroups, which only usage reads.
	placed        placements
	acct, unified placement
	ur            usageReader
	store         usageStore
	limits        limitFiles
}

// limitFiles are the files the poller's last walk of the limits read: the
// first walkReads of the kept-open files, in the walk's order (-1 before
// the first walk). A sample first re-reads them, one pread each, and walks
// the limits again only when their bytes differ from the snapshot taken
// before that walk; otherwise the reader's levels and Result still hold what
// the walk made of those very bytes (the walk is a function of the bytes it
// reads). The snapshot is taken before the walk, so a file that changes
// while the walk runs differs at the next sample and is walked again.
type limitFiles struct {
	walkReads int
	// snap and snapEnds are the files' bytes, one after the other, and
	// where each ends; handles are the files they were read from (nil for
	// an absent one). valid says the snapshot is of the files the last walk
	// read.
	snap     []byte
	snapEnds []int
	handles  []*readfile.Handle
	valid    bool
	// counters says the walk read a file of counters that change all the
	// time (v1 memory.stat, for hierarchical_memory_limit): comparing bytes
	// would only add its reads, so every sample walks.
	counters bool
	// fresh and freshEnds are the sample's own reads, buf one file's.
	fresh     []byte
	freshEnds []int
	buf       []byte
	// walks counts the walks, for the tests.
	walks int
}

// usageStore holds what a sample's pointers point at, so that a poller's
// samples allocate nothing.
type usageStore struct {
	limitEvents LimitEvents
	throttling  Throttling
	pressures   [3]Pressure
	full        [3]PressureLine
}

// NewUsagePoller locates the calling process's cgroups as Detect does
// (R/proc/self/mountinfo and R/proc/self/cgroup) and returns a poller of
// their usage with the first sample, its diagnostics in the Result. The
// options are Detect's: WithRoot reads a captured tree.
func NewUsagePoller(opts ...Option) (*UsagePoller, Result, Usage, error) {
	cfg := newConfig(opts)
	if cfg.root == "/" && runtime.GOOS != "linux" {
		return nil, Result{}, Usage{}, ErrNotSupported
	}
	p := &UsagePoller{open: newOpenFiles(), beneath: cfg.beneath, limits: limitFiles{walkReads: -1}}
	p.r = reader{buf: make([]byte, 0, 8192), path: make([]byte, 0, 512), own: *own.NewReader(4096)}
	p.r.reset(cfg.root, cfg.beneath, p.open)
	if err := p.r.start(0, true); err != nil {
		p.Close()
		return nil, Result{}, Usage{}, err
	}
	var u Usage
	cfg.usage = &u
	find := func(r *reader, controller string) (placement, error) {
		pl, err := r.locateOwn(controller)
		switch controller {
		case "cpuacct":
			p.acct = pl
		case unifiedHierarchy:
			p.unified = pl
		}
		return pl, err
	}
	res, err := p.r.report(cfg, 0, find)
	if err != nil {
		p.Close()
		return nil, Result{}, Usage{}, err
	}
	p.placed = p.r.placed
	p.ur.find = func(_ *reader, controller string) (placement, error) {
		if controller == "cpuacct" {
			return p.acct, nil
		}
		return p.unified, nil
	}
	return p, res, u, nil
}

// Poll re-reads the usage into u, with one pread per file, all of them in
// one run before any is parsed (while the limits are unchanged). The limits the
// headroom and the throttling are computed against are walked again only
// when one of their files changed (a resize); such a sample reads those
// files twice. It returns ErrCgroupsChanged when a file stopped reading.
func (p *UsagePoller) Poll(u *Usage) error {
	r := &p.r
	p.open.rewind()
	if p.limitsUnchanged() {
		p.open.next = p.limits.walkReads
		p.open.readAhead(p.limits.walkReads, own.MaxInterfaceFile)
	} else {
		r.reset(r.root, p.beneath, p.open)
		r.placed, r.keep = p.placed, true
		r.walkMemory(false)
		r.walkCPU()
		p.walked()
	}
	p.ur.r, p.ur.levels, p.ur.store = r, p.ur.levels[:0], &p.store
	*u = Usage{}
	p.ur.sample(u)
	p.open.dropAhead()
	if p.open.vanished {
		p.open.vanished = false
		return ErrCgroupsChanged
	}
	return nil
}

// limitsUnchanged re-reads the files of the last walk into fresh and
// reports whether they hold the snapshot's bytes. When they do not, fresh
// becomes the snapshot, for the walk that follows.
func (p *UsagePoller) limitsUnchanged() bool {
	l := &p.limits
	if l.walkReads < 0 || l.counters {
		return false
	}
	l.fresh, l.freshEnds = l.fresh[:0], l.freshEnds[:0]
	for _, f := range p.open.order[:l.walkReads] {
		if f.h != nil {
			if traceRead != nil {
				l.buf = append(append(l.buf[:0], f.path...), 0)
				traceRead(l.buf)
			}
			var err error
			if l.buf, err = f.h.ReadInterface(l.buf, own.MaxInterfaceFile); err != nil {
				l.valid = false // the walk reads it again and reports it
				return false
			}
			l.fresh = append(l.fresh, l.buf...)
		}
		l.freshEnds = append(l.freshEnds, len(l.fresh))
	}
	if l.valid && bytes.Equal(l.fresh, l.snap) && slices.Equal(l.freshEnds, l.snapEnds) {
		return true
	}
	l.snap, l.snapEnds = append(l.snap[:0], l.fresh...), append(l.snapEnds[:0], l.freshEnds...)
	l.handles = l.handles[:0]
	for _, f := range p.open.order[:l.walkReads] {
		l.handles = append(l.handles, f.h)
	}
	l.valid = true
	return false
}

// walked notes the files a walk read: the snapshot stays valid only when
// the walk read the files it was taken of.
func (p *UsagePoller) walked() {
	l := &p.limits
	l.walks++
	l.walkReads = p.open.next
	l.counters = slices.ContainsFunc(p.open.order[:l.walkReads], func(f orderedFile) bool { return f.name == cgv1.MemoryStat })
	l.valid = l.valid && slices.EqualFunc(l.handles, p.open.order[:l.walkReads],
		func(h *readfile.Handle, f orderedFile) bool { return h == f.h })
}

// Close closes the files kept open.
func (p *UsagePoller) Close() {
	p.open.close()
	p.r.dir.Close()
}
