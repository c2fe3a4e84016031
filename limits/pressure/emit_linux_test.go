package pressure

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// numGC is how many collections have completed: debug.FreeOSMemory runs
// one.
func numGC() uint32 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.NumGC
}

// TestEmitFreeOSMemory: the reaction runs after the handler, on pressure,
// high, max and low-headroom events, at most once per its interval, and
// never for oom or oom_kill.
func TestEmitFreeOSMemory(t *testing.T) {
	var order []string
	l := &loop{cfg: newConfig([]Option{WithFreeOSMemory(time.Minute), WithHandler(func(e Event) {
		order = append(order, e.Kind.String())
	})})}
	l.w = &Watcher{events: make(chan Event, 8)}
	t0 := time.Now()
	for _, tc := range []struct {
		kind Kind
		at   time.Duration
		gc   bool
	}{
		{KindOOMKill, 0, false},
		{KindPressure, 0, true},
		{KindHigh, time.Second, false}, // within the minute
		{KindLowHeadroom, time.Minute, true},
		{KindOOM, 2 * time.Minute, false},
		{KindMax, 2 * time.Minute, true},
	} {
		before := numGC()
		l.emit(Event{Kind: tc.kind, Time: t0.Add(tc.at)})
		assert.Equal(t, tc.gc, numGC() > before, "%v at +%v", tc.kind, tc.at)
	}
	assert.Equal(t, []string{"oom_kill", "pressure", "high", "low-headroom", "oom", "max"}, order, "every event reaches the handler")
}

// TestEmitCountsDropped: a full channel drops events without blocking and
// the next event delivered says how many.
func TestEmitCountsDropped(t *testing.T) {
	l := &loop{cfg: newConfig(nil)}
	l.w = &Watcher{events: make(chan Event, 1)}
	for range 4 {
		l.emit(Event{Kind: KindHigh})
	}
	first := <-l.w.events
	assert.Zero(t, first.Dropped)
	l.emit(Event{Kind: KindMax})
	next := <-l.w.events
	require.Equal(t, KindMax, next.Kind)
	assert.Equal(t, uint64(3), next.Dropped)
}
