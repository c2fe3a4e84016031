package limits

import (
	"errors"
	"runtime"

	"github.com/truelimit/truelimit/internal/readfile"
	"github.com/truelimit/truelimit/limits/internal/own"
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
	p := &UsagePoller{open: newOpenFiles(), beneath: cfg.beneath}
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

// Poll re-reads the usage into u, with one pread per file. It returns
// ErrCgroupsChanged when a file stopped reading.
func (p *UsagePoller) Poll(u *Usage) error {
	r := &p.r
	p.open.rewind()
	r.reset(r.root, p.beneath, p.open)
	r.placed, r.keep = p.placed, true
	r.walkMemory(false)
	r.walkCPU()
	p.ur.r, p.ur.levels, p.ur.store = r, p.ur.levels[:0], &p.store
	*u = Usage{}
	p.ur.sample(u)
	if p.open.vanished {
		p.open.vanished = false
		return ErrCgroupsChanged
	}
	return nil
}

// Close closes the files kept open.
func (p *UsagePoller) Close() {
	p.open.close()
	p.r.dir.Close()
}
