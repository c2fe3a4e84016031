package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lockedBuffer is a bytes.Buffer safe for a writer and a reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestEventsFromSystemdFIFO: with $MEMORY_PRESSURE_WATCH naming a FIFO,
// -events -json prints the source, then the pressure event a write to the
// FIFO causes, and stops after -frames 1.
func TestEventsFromSystemdFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pressure.fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	t.Setenv("MEMORY_PRESSURE_WATCH", fifo)
	t.Setenv("MEMORY_PRESSURE_WRITE", "")
	var out lockedBuffer
	errc := make(chan error, 1)
	go func() { errc <- run([]string{"-events", "-frames", "1", "-json"}, &out) }()
	require.Eventually(t, func() bool { return strings.Contains(out.String(), `"source":"systemd"`) },
		10*time.Second, 10*time.Millisecond, "the sources are printed first")
	f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	require.NoError(t, err)
	defer f.Close()
	_, err = f.Write([]byte("x"))
	require.NoError(t, err)
	select {
	case err := <-errc:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("-events did not stop after one event")
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var last map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &last))
	assert.Equal(t, "pressure", last["kind"])
	assert.Equal(t, "systemd", last["source"])
	assert.Equal(t, fifo, last["file"])
}

func TestEventsFlags(t *testing.T) {
	for _, args := range [][]string{{"-events", "-pid", "1"}, {"-events", "-root", "/tmp"}, {"-events", "-watch", "1s"}} {
		err := run(args, &bytes.Buffer{})
		assert.ErrorContains(t, err, "-events watches this process's own cgroups", "%v", args)
	}
}
