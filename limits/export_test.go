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

// Refresher is the refresh loop's watcher, for benchmarks: the cgroups
// located once, their files kept open.
type Refresher struct{ w *watcher }

// NewRefresher locates the cgroups as the setters do and keeps their files open.
func NewRefresher(opts ...Option) (*Refresher, error) {
	w, _, open, err := detectToWatch(setterConfig{root: newConfig(opts).root, refresh: time.Second}, false)
	if err != nil {
		return nil, err
	}
	return &Refresher{w: newWatcher(w, open)}, nil
}

// Refresh re-reads the limits as one tick of the loop does.
func (r *Refresher) Refresh() Result {
	res, _ := r.w.refresh()
	return res
}

// Preads re-reads, with one pread each and no parsing, the kept-open files
// whose paths are given: the I/O floor of Refresh.
func (r *Refresher) Preads(paths [][]byte, buf []byte) ([]byte, error) {
	for _, p := range paths {
		h, ok := r.w.open.handles[string(p[:len(p)-1])]
		if !ok {
			continue
		}
		var err error
		if buf, err = h.ReadInterface(buf, own.MaxInterfaceFile); err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// Close closes the kept-open files.
func (r *Refresher) Close() { r.w.open.close() }
