//go:build linux

package limits_test

import (
	"runtime"
	"syscall"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/limits"
)

// TestAffinityCPUs: Host.AffinityCPUs counts the calling thread's
// sched_getaffinity mask: the CPUs the runtime saw at start, and 1 on a
// thread narrowed to CPU 0.
func TestAffinityCPUs(t *testing.T) {
	res, err := limits.Detect()
	if err != nil {
		t.Skip("no live cgroups here:", err)
	}
	assert.Equal(t, runtime.NumCPU(), res.Host.AffinityCPUs)

	got := make(chan int, 1)
	go func() {
		// Never unlocked: the thread, with its narrowed mask, ends with
		// this goroutine.
		runtime.LockOSThread()
		var cpu0 [16]uint64
		cpu0[0] = 1
		if _, _, errno := syscall.RawSyscall(syscall.SYS_SCHED_SETAFFINITY, 0, uintptr(len(cpu0)*8), uintptr(unsafe.Pointer(&cpu0[0]))); errno != 0 {
			got <- -int(errno)
			return
		}
		res, err := limits.Detect()
		if err != nil {
			got <- -1
			return
		}
		got <- res.Host.AffinityCPUs
	}()
	n := <-got
	require.GreaterOrEqual(t, n, 0, "sched_setaffinity or Detect failed")
	assert.Equal(t, 1, n)
}
