package pressure

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
)

// Watcher delivers the events of one Watch. Its methods are safe for
// concurrent use.
type Watcher struct {
	events  chan Event
	done    chan struct{}
	wakeups atomic.Uint64
	mu      sync.Mutex // guards setups: a source that ends is marked inactive
	setups  []Setup
}

// Events returns the channel the events arrive on. It is closed when the
// watcher has stopped.
func (w *Watcher) Events() <-chan Event { return w.events }

// Done is closed when the watcher has stopped: its goroutines have ended
// and its files are closed.
func (w *Watcher) Done() <-chan struct{} { return w.done }

// Sources returns every source Watch tried to set up, in the order it
// tried them: what is active, how it was set up, and why the others are
// not.
func (w *Watcher) Sources() []Setup {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Setup(nil), w.setups...)
}

// setSetup replaces setup i.
func (w *Watcher) setSetup(i int, s Setup) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.setups[i] = s
}

// Active returns the set of sources in use.
func (w *Watcher) Active() Source {
	w.mu.Lock()
	defer w.mu.Unlock()
	var s Source
	for _, st := range w.setups {
		if st.Active {
			s |= st.Source
		}
	}
	return s
}

// Wakeups counts the times the watcher's goroutine woke up (from poll(2):
// a kernel notification or a polling interval), not counting the wake-up
// that stops it. Where only kernel notifications are in use, it stays 0
// while nothing happens.
func (w *Watcher) Wakeups() uint64 { return w.wakeups.Load() }

// NoSourceError is returned by Watch when no source could be set up; Setups
// say why, one by one.
type NoSourceError struct {
	Setups []Setup
}

func (e *NoSourceError) Error() string {
	var b strings.Builder
	b.WriteString("pressure: no source could be set up")
	for _, s := range e.Setups {
		b.WriteString("; " + s.Source.String() + " " + s.File + ": " + s.How)
	}
	return b.String()
}

// ErrBadOption is returned by Watch for an option out of range; the error
// wrapping it says which.
var ErrBadOption = errors.New("pressure: bad option")
