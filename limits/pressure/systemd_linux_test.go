package pressure

import (
	"context"
	"encoding/base64"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/cgtest"
)

// env is a WithEnv lookup of the two variables of systemd's protocol.
func env(watch, write string) Option {
	return WithEnv(func(k string) (string, bool) {
		switch k {
		case "MEMORY_PRESSURE_WATCH":
			return watch, watch != ""
		case "MEMORY_PRESSURE_WRITE":
			return write, write != ""
		}
		return "", false
	})
}

// nextEvent waits up to d for an event.
func nextEvent(t *testing.T, w *Watcher, d time.Duration) Event {
	t.Helper()
	select {
	case e, ok := <-w.Events():
		require.True(t, ok, "the events channel closed")
		return e
	case <-time.After(d):
		t.Fatalf("no event within %v", d)
	}
	return Event{}
}

// stop cancels the watch and waits for it to end.
func stop(t *testing.T, cancel context.CancelFunc, w *Watcher) {
	t.Helper()
	cancel()
	select {
	case <-w.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the watcher did not stop")
	}
	for range w.Events() {
	}
}

func TestSystemdFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pressure.fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	ctx, cancel := context.WithCancel(context.Background())
	w, err := Watch(ctx, WithSources(SourceSystemd), env(fifo, base64.StdEncoding.EncodeToString([]byte("hello"))))
	require.NoError(t, err)
	defer stop(t, cancel, w)
	require.Equal(t, SourceSystemd, w.Active(), "%+v", w.Sources())
	assert.Contains(t, w.Sources()[0].How, "FIFO")
	select {
	case e := <-w.Events():
		t.Fatalf("an event before anything was written (the data written came back?): %+v", e)
	case <-time.After(200 * time.Millisecond):
	}
	f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	require.NoError(t, err)
	for i := range 2 {
		_, err = f.Write([]byte("x"))
		require.NoError(t, err)
		e := nextEvent(t, w, 5*time.Second)
		assert.Equal(t, KindPressure, e.Kind, "event %d", i)
		assert.Equal(t, SourceSystemd, e.Source)
		assert.Equal(t, fifo, e.File)
	}
	require.NoError(t, f.Close())
	select {
	case e := <-w.Events():
		t.Fatalf("the writer's close is no pressure: %+v", e)
	case <-time.After(200 * time.Millisecond):
	}
	assert.Equal(t, uint64(2), w.Wakeups(), "one wake-up per write, none for the close")
}

func TestSystemdSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pressure.sock")
	ln, err := net.Listen("unix", path)
	require.NoError(t, err)
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
		close(accepted)
	}()
	ctx, cancel := context.WithCancel(context.Background())
	w, err := Watch(ctx, WithSources(SourceSystemd), env(path, base64.StdEncoding.EncodeToString([]byte("some 200000 2000000\x00"))))
	require.NoError(t, err)
	defer stop(t, cancel, w)
	require.Equal(t, SourceSystemd, w.Active(), "%+v", w.Sources())
	assert.Contains(t, w.Sources()[0].How, "AF_UNIX")
	c, ok := <-accepted
	require.True(t, ok)
	defer c.Close()
	got := make([]byte, 20)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
	n, err := c.Read(got)
	require.NoError(t, err)
	assert.Equal(t, "some 200000 2000000\x00", string(got[:n]), "the decoded $MEMORY_PRESSURE_WRITE")
	_, err = c.Write([]byte{1})
	require.NoError(t, err)
	e := nextEvent(t, w, 5*time.Second)
	assert.Equal(t, KindPressure, e.Kind)
	assert.Equal(t, SourceSystemd, e.Source)
	require.NoError(t, c.Close())
	require.Eventually(t, func() bool { return w.Active() == 0 }, 5*time.Second, 10*time.Millisecond,
		"the peer's close ends the source")
}

func TestSystemdDevNullTurnsPressureOff(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	w, err := Watch(ctx, env("/dev/null", ""))
	if err != nil {
		cancel()
		var none *NoSourceError
		require.ErrorAs(t, err, &none, "only pressure sources are off")
		return
	}
	defer stop(t, cancel, w)
	assert.Zero(t, w.Active()&(SourceSystemd|SourceTrigger|SourceV1Level|SourcePSIPoll|SourceHeadroomPoll),
		"no pressure source: %+v", w.Sources())
	assert.Contains(t, w.Sources()[0].How, "turned off")
}

func TestSystemdBadPathFallsBack(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	missing := filepath.Join(t.TempDir(), "missing")
	w, err := Watch(ctx, WithSources(SourceSystemd|SourcePSIPoll|SourceHeadroomPoll|SourceCounterPoll), env(missing, ""))
	if err != nil {
		cancel()
		var none *NoSourceError
		require.ErrorAs(t, err, &none)
		assert.Contains(t, err.Error(), "stat")
		return
	}
	defer stop(t, cancel, w)
	s := w.Sources()[0]
	assert.Equal(t, SourceSystemd, s.Source)
	assert.False(t, s.Active)
	assert.Contains(t, s.How, "falling back")
}

func TestBadOptions(t *testing.T) {
	for _, o := range []Option{WithThreshold(0, time.Second), WithHeadroomFraction(1.5), WithV1Level("high")} {
		_, err := Watch(context.Background(), o)
		assert.ErrorIs(t, err, ErrBadOption)
	}
}

// openFDs counts the process's open file descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	return len(fds)
}

// TestWatchLeaksNothing starts and stops watchers with every source the
// machine allows and counts goroutines and file descriptors.
func TestWatchLeaksNothing(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pressure.fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	goroutines, fds := runtime.NumGoroutine(), openFDs(t)
	for _, opts := range [][]Option{
		{env(fifo, "")},
		{WithSources(AllSources &^ SourceSystemd), WithInterval(10 * time.Millisecond)},
	} {
		for range 3 {
			ctx, cancel := context.WithCancel(context.Background())
			w, err := Watch(ctx, opts...)
			if err != nil {
				var none *NoSourceError
				require.ErrorAs(t, err, &none)
				cancel()
				continue
			}
			assert.Greater(t, openFDs(t), fds, "the watcher holds files")
			time.Sleep(30 * time.Millisecond)
			stop(t, cancel, w)
		}
	}
	assert.Equal(t, fds, openFDs(t), "file descriptors after every watcher stopped")
	// Polled by hand: require.Eventually runs its condition on a goroutine
	// of its own.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > goroutines && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	// At most as many as before: a goroutine an earlier test left may end
	// meanwhile (seen: 2 after 3).
	assert.LessOrEqual(t, runtime.NumGoroutine(), goroutines, "goroutines after every watcher stopped")
}

// TestSystemdPSIFile: $MEMORY_PRESSURE_WATCH naming a real memory.pressure
// (a child of the test's cgroup2 cgroup) gets systemd's trigger written, NUL
// and all; a trigger the kernel refuses is a fallback, not an error.
func TestSystemdPSIFile(t *testing.T) {
	file := filepath.Join(cgtest.NewUnified(t).Dir(cgtest.Unified), "memory.pressure")
	for _, tc := range []struct {
		name, write string
		active      bool
		how         string
	}{
		{"systemd's trigger", "some 200000 2000000\x00", true, `PSI file, POLLPRI, wrote "some 200000 2000000\x00"`},
		{"a window the kernel refuses", "some 1 1\x00", false, "write $MEMORY_PRESSURE_WRITE: invalid argument; falling back"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			w, err := Watch(ctx, WithSources(SourceSystemd|SourceHeadroomPoll|SourcePSIPoll), env(file, base64.StdEncoding.EncodeToString([]byte(tc.write))))
			require.NoError(t, err)
			defer stop(t, cancel, w)
			s := w.Sources()[0]
			assert.Equal(t, SourceSystemd, s.Source)
			assert.Equal(t, tc.active, s.Active)
			assert.Equal(t, tc.how, s.How)
			assert.Equal(t, file, s.File)
		})
	}
}
