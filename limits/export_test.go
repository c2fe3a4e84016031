package limits

import (
	"time"

	"github.com/truelimit/truelimit/limits/internal/own"
)

// TraceReads makes every detection report the NUL-terminated path of each
// file it reads to fn until the returned function is called. Not safe to use
// while detections run concurrently.
func TraceReads(fn func(path []byte)) (stop func()) {
	traceRead = fn
	return func() { traceRead = nil }
}

// AfterLstat makes ForCgroup call fn with each directory it has just
// checked with Lstat, before it resolves it, until the returned function is
// called. Not safe to use while detections run concurrently.
func AfterLstat(fn func(dir string)) (stop func()) {
	afterLstat = fn
	return func() { afterLstat = nil }
}

// OnTick makes every tick of the refresh loop call fn once it has applied
// the limits, before the next tick is armed, until the returned function is
// called; relocated says the tick located the cgroups again. fn runs with the
// setters' lock held: it must not call them, and while it blocks no tick
// runs.
func OnTick(fn func(relocated bool)) (stop func()) {
	ctl.mu.Lock()
	defer ctl.mu.Unlock()
	afterTick = fn
	return func() {
		ctl.mu.Lock()
		defer ctl.mu.Unlock()
		afterTick = nil
	}
}

// Refresher is the refresh loop's watcher, for benchmarks: the cgroups
// located once, their files kept open.
type Refresher struct{ w *watcher }

// NewRefresher locates the cgroups as the setters do and keeps their files open.
func NewRefresher(opts ...Option) (*Refresher, error) { return NewSharedRefresher(false, opts...) }

// NewSharedRefresher is NewRefresher whose refresh, with shared, reads the
// usages of the shared-limit policy too.
func NewSharedRefresher(shared bool, opts ...Option) (*Refresher, error) {
	cfg := newConfig(opts)
	w, _, open, err := detectToWatch(setterConfig{root: cfg.root, beneath: cfg.beneath, refresh: time.Second}, false, shared, false)
	if err != nil {
		return nil, err
	}
	return &Refresher{w: newWatcher(w, open)}, nil
}

// Refresh re-reads the limits as one tick of the loop does; relocated says
// the cgroups were located again (the process moved, or a file vanished).
func (r *Refresher) Refresh() (res Result, relocated bool) {
	return r.w.refresh()
}

// Preads re-reads, with one pread each and no parsing, the kept-open files
// whose paths are given (R/proc/self/cgroup among them): the I/O floor of
// Refresh.
func (r *Refresher) Preads(paths [][]byte, buf []byte) ([]byte, error) {
	return preads(r.w.open, paths, buf)
}

// Close closes the kept-open files.
func (r *Refresher) Close() { r.w.open.close() }

// Walks is how many times the poller walked the limits.
func (p *UsagePoller) Walks() int { return p.limits.walks }

// Preads re-reads, with one pread each and no parsing, the kept-open files
// of the poller whose paths are given: the I/O floor of Poll.
func (p *UsagePoller) Preads(paths [][]byte, buf []byte) ([]byte, error) {
	return preads(p.open, paths, buf)
}

// preads re-reads the files of open whose NUL-terminated paths are given,
// one pread each, nothing parsed.
func preads(open *openFiles, paths [][]byte, buf []byte) ([]byte, error) {
	for _, p := range paths {
		f := open.find(p[:len(p)-1])
		if f == nil || f.h == nil {
			continue
		}
		var err error
		if buf, err = f.h.ReadInterface(buf, own.MaxInterfaceFile); err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// SetRlimits makes the setters see as and data (0: unlimited) as the
// process's soft RLIMIT_AS and RLIMIT_DATA, under every root, until the
// returned function is called. Not safe to use while setters run.
func SetRlimits(as, data uint64) (restore func()) {
	rlimits = func() (uint64, uint64) { return as, data }
	return func() { rlimits = nil }
}
