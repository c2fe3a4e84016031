//go:build linux

package node_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/cgtest"
	"github.com/truelimit/truelimit/limits/node"
)

// TestScanCountersRealKernel gets dd OOM-killed in the child (leaf) of a
// 64 MiB v1 memory cgroup (memory+swap capped too) by a 128 MiB buffer, and
// throttles a busy loop in the child of a 0.1 CPU v1 cpu cgroup, then
// scans both parents with WithCounters. v1 counts each event in one cgroup:
// the kill in the victim's leaf (memory.oom_control oom_kill), the failed
// charges at the parent's limit (memory.failcnt), the throttling at the
// parent's quota (cpu.stat); the scan must report exactly each cgroup's own
// files.
func TestScanCountersRealKernel(t *testing.T) {
	const limit = 64 << 20
	mem := cgtest.New(t, "memory")
	mem.Set(t, "memory", "memory.limit_in_bytes", strconv.Itoa(limit))
	if _, err := os.Stat(filepath.Join(mem.Dir("memory"), "memory.memsw.limit_in_bytes")); err == nil {
		mem.Set(t, "memory", "memory.memsw.limit_in_bytes", strconv.Itoa(limit+16<<20))
	}
	memLeaf := mem.Child(t, "leaf")
	err := memLeaf.Command(t, "dd", "if=/dev/zero", "of=/dev/null", "bs=128M", "count=1").Run()
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "dd of a 128 MiB buffer in a 64 MiB cgroup must be OOM-killed: %v", err)
	status, ok := exit.Sys().(syscall.WaitStatus)
	require.True(t, ok && status.Signaled() && status.Signal() == syscall.SIGKILL, "%v", err)

	cpu := cgtest.New(t, "cpu")
	cpu.Set(t, "cpu", "cpu.cfs_period_us", "100000")
	cpu.Set(t, "cpu", "cpu.cfs_quota_us", "10000")
	cpuLeaf := cpu.Child(t, "leaf")
	loop := cpuLeaf.Command(t, "sh", "-c", "while :; do :; done")
	require.NoError(t, loop.Start())
	throttled := func() uint64 {
		for line := range strings.Lines(cpu.Read(t, "cpu", "cpu.stat")) {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "nr_throttled "); ok {
				n, err := strconv.ParseUint(v, 10, 64)
				require.NoError(t, err)
				return n
			}
		}
		return 0
	}
	deadline := time.Now().Add(30 * time.Second)
	for throttled() < 3 {
		require.True(t, time.Now().Before(deadline), "the loop was not throttled in 30 s at 0.1 CPU")
		time.Sleep(100 * time.Millisecond)
	}
	require.NoError(t, loop.Process.Kill())
	_ = loop.Wait()

	scan := func(top string) *node.Tree {
		tree, err := node.Scan(node.WithTop(top), node.WithCounters())
		require.NoError(t, err)
		return tree
	}
	memTree := scan(mem.Path("memory"))
	parent, leaf := memTree.Lookup(mem.Path("memory")), memTree.Lookup(memLeaf.Path("memory"))
	require.NotNil(t, parent)
	require.NotNil(t, leaf)
	if leaf.Counters.OOMKill.Known {
		assert.Equal(t, counted(1), leaf.Counters.OOMKill, "the victim's cgroup counts the kill")
		assert.Equal(t, counted(0), parent.Counters.OOMKill, "v1 does not propagate oom_kill")
	} else {
		t.Log("memory.oom_control prints no oom_kill (before 4.13)")
	}
	assert.Equal(t, counted(0), leaf.Counters.Max, "the leaf's own counter never failed: it has no limit")
	assert.True(t, parent.Counters.Max.Known && parent.Counters.Max.Value > 0, "the parent's limit failed the charges: %+v", parent.Counters.Max)

	// Stopped: the counters no longer move.
	want := throttled()
	cpuTree := scan(cpu.Path("cpu"))
	parent, leaf = cpuTree.Lookup(cpu.Path("cpu")), cpuTree.Lookup(cpuLeaf.Path("cpu"))
	require.NotNil(t, parent)
	require.NotNil(t, leaf)
	assert.Equal(t, counted(want), parent.Counters.ThrottledPeriods)
	assert.True(t, parent.Counters.Periods.Value >= want && parent.Counters.ThrottledUsec.Value > 0, "%+v", parent.Counters)
	assert.Equal(t, counted(0), leaf.Counters.ThrottledPeriods, "the leaf has no quota of its own")
}
