package limits_test

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/limits"
)

// eventually polls cond every 10 ms for up to d.
func eventually(t *testing.T, d time.Duration, cond func() bool) bool {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// TestRefreshLoop resizes a tree's pod limit under a running refresh loop,
// then replaces the loop's settings with a second call that turns refreshing
// off, and checks that undo restores the limit the process started with.
func TestRefreshLoop(t *testing.T) {
	root := writeTree(t, v2Tree(nil))
	podMax := filepath.Join(root, "sys/fs/cgroup/pod.slice/memory.max")
	start := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(start)

	s, undo1, err := limits.SetGoMemLimit(limits.WithRoot(root), limits.WithRefresh(20*time.Millisecond))
	require.NoError(t, err)
	assert.Equal(t, int64(483183820), s.Value, "0.9 of 512 MiB")

	require.NoError(t, os.WriteFile(podMax, []byte("268435456\n"), 0o644))
	assert.True(t, eventually(t, 2*time.Second, func() bool { return debug.SetMemoryLimit(-1) == 241591910 }),
		"the loop follows the pod shrinking to 256 MiB; GOMEMLIMIT is %d", debug.SetMemoryLimit(-1))

	// A second call replaces the loop's settings: no refreshing any more.
	s2, undo2, err := limits.SetGoMemLimit(limits.WithRoot(root), limits.WithMemoryRatio(0.5))
	require.NoError(t, err)
	assert.Equal(t, int64(134217728), s2.Value)
	require.NoError(t, os.WriteFile(podMax, []byte("1073741824\n"), 0o644))
	time.Sleep(100 * time.Millisecond)
	assert.Equal(t, int64(134217728), debug.SetMemoryLimit(-1), "no loop follows after the second call")

	undo2()
	assert.Equal(t, s2.Previous, debug.SetMemoryLimit(-1))
	undo1()
	assert.Equal(t, start, debug.SetMemoryLimit(-1), "undo restores what the process started with")
}

// openFDs counts the process's open file descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	return len(entries)
}

// TestRefreshLoopClosesItsFiles starts and stops refresh loops at every
// point of their ticks (before the first, during one, between two) and checks
// that every kept-open file is closed afterwards, whichever side saw the loop
// end.
func TestRefreshLoopClosesItsFiles(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("no /proc/self/fd here:", err)
	}
	root := writeTree(t, v2Tree(nil))
	start := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(start)
	before := openFDs(t)
	for i := range 60 {
		_, undo, err := limits.SetGoMemLimit(limits.WithRoot(root), limits.WithRefresh(time.Millisecond))
		require.NoError(t, err)
		time.Sleep(time.Duration(i%4) * 500 * time.Microsecond)
		undo()
	}
	assert.True(t, eventually(t, 2*time.Second, func() bool { return openFDs(t) <= before }),
		"%d descriptors open after the loops stopped, %d before", openFDs(t), before)
	assert.Equal(t, start, debug.SetMemoryLimit(-1))
}

// TestRefreshLoopV1FromUnlimited: on v1 the loop reads only the leaf's
// memory.stat while its hierarchical_memory_limit says nothing is limited;
// when a pod limit appears (the kernel then reports it in memory.stat too)
// the loop walks the levels and follows it.
func TestRefreshLoopV1FromUnlimited(t *testing.T) {
	const unlimited = "9223372036854771712\n"
	stat := func(limit string) string {
		return "cache 0\nrss 0\nhierarchical_memory_limit " + limit + "hierarchical_memsw_limit 9223372036854771712\n"
	}
	root := writeTree(t, map[string]string{
		"proc/self/mountinfo":                                "35 25 0:31 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,memory\n",
		"proc/self/cgroup":                                   "4:memory:/pod/app\n",
		"sys/fs/cgroup/memory/memory.limit_in_bytes":         unlimited,
		"sys/fs/cgroup/memory/memory.use_hierarchy":          "1\n",
		"sys/fs/cgroup/memory/pod/memory.limit_in_bytes":     unlimited,
		"sys/fs/cgroup/memory/pod/memory.use_hierarchy":      "1\n",
		"sys/fs/cgroup/memory/pod/app/memory.limit_in_bytes": unlimited,
		"sys/fs/cgroup/memory/pod/app/memory.use_hierarchy":  "1\n",
		"sys/fs/cgroup/memory/pod/app/memory.stat":           stat(unlimited),
	})
	start := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(start)

	s, undo, err := limits.SetGoMemLimit(limits.WithRoot(root), limits.WithRefresh(20*time.Millisecond))
	require.NoError(t, err)
	defer undo()
	assert.False(t, s.Changed, s.Reason)

	require.NoError(t, os.WriteFile(filepath.Join(root, "sys/fs/cgroup/memory/pod/memory.limit_in_bytes"), []byte("268435456\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "sys/fs/cgroup/memory/pod/app/memory.stat"), []byte(stat("268435456\n")), 0o644))
	assert.True(t, eventually(t, 2*time.Second, func() bool { return debug.SetMemoryLimit(-1) == 241591910 }),
		"the loop follows the pod's new 256 MiB limit; GOMEMLIMIT is %d", debug.SetMemoryLimit(-1))
}

// movedTree is v2Tree with a second pod, /small.slice (256 MiB), beside
// /pod.slice (512 MiB), each holding an app.scope (0.5 and 0.25 CPUs).
func movedTree() map[string]string {
	return v2Tree(map[string]string{
		"sys/fs/cgroup/small.slice/cgroup.controllers":           "cpuset cpu io memory pids\n",
		"sys/fs/cgroup/small.slice/memory.max":                   "268435456\n",
		"sys/fs/cgroup/small.slice/cpu.max":                      "max 100000\n",
		"sys/fs/cgroup/small.slice/app.scope/cgroup.controllers": "cpuset cpu io memory pids\n",
		"sys/fs/cgroup/small.slice/app.scope/memory.max":         "max\n",
		"sys/fs/cgroup/small.slice/app.scope/cpu.max":            "25000 100000\n",
	})
}

// TestRefreshFollowsAMove rewrites the tree's /proc/self/cgroup to put the
// process in another pod, as the kernel does when a process is moved: the
// old pod's files stay as they were, yet the next tick reports the new
// pod's limit, and the tick after it locates nothing again.
func TestRefreshFollowsAMove(t *testing.T) {
	root := writeTree(t, movedTree())
	r, err := limits.NewRefresher(limits.WithRoot(root))
	require.NoError(t, err)
	defer r.Close()

	res, relocated := r.Refresh()
	assert.False(t, relocated)
	assert.Equal(t, limits.Limit{State: limits.Limited, Value: 536870912, Source: "/pod.slice"}, res.Memory.Limit)

	// In place, as the kernel regenerates the file: the handle is kept open.
	require.NoError(t, os.WriteFile(filepath.Join(root, "proc/self/cgroup"), []byte("0::/small.slice/app.scope\n"), 0o644))
	res, relocated = r.Refresh()
	assert.True(t, relocated, "the move is noticed")
	assert.Equal(t, limits.Limit{State: limits.Limited, Value: 268435456, Source: "/small.slice"}, res.Memory.Limit)
	assert.Equal(t, "/small.slice/app.scope", res.CPU.Limit.Source, "the cpu walk moved too")
	assert.Equal(t, 0.25, res.CPU.Limit.CPUs())

	var mountinfoRead bool
	stop := limits.TraceReads(func(p []byte) { mountinfoRead = mountinfoRead || bytes.Contains(p, []byte("mountinfo")) })
	res, relocated = r.Refresh()
	stop()
	assert.False(t, relocated, "the new /proc/self/cgroup is what the next tick compares with")
	assert.False(t, mountinfoRead, "a tick after the move locates nothing again")
	assert.Equal(t, uint64(268435456), res.Memory.Limit.Value)

	require.NoError(t, os.WriteFile(filepath.Join(root, "proc/self/cgroup"), []byte("0::/pod.slice/app.scope\n"), 0o644))
	res, relocated = r.Refresh()
	assert.True(t, relocated, "moved back")
	assert.Equal(t, uint64(536870912), res.Memory.Limit.Value)
}

// TestRefreshLoopFollowsAMove runs the loop over a tree whose
// /proc/self/cgroup is rewritten to another pod and counts ticks: a tick that
// starts after the rewrite (the second one to end after it) has applied the
// new pod's limit.
func TestRefreshLoopFollowsAMove(t *testing.T) {
	root := writeTree(t, movedTree())
	start := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(start)
	var ticks atomic.Int64
	stopTicks := limits.OnTick(func(bool) { ticks.Add(1) })
	defer stopTicks()

	var log bytes.Buffer // written by the loop under the setters' lock, read after undo
	s, undo, err := limits.SetGoMemLimit(limits.WithRoot(root), limits.WithRefresh(5*time.Millisecond),
		limits.WithLogger(slog.New(slog.NewTextHandler(&log, nil))))
	require.NoError(t, err)
	defer undo()
	assert.Equal(t, int64(483183820), s.Value, "0.9 of 512 MiB")

	rewriteThenTwoTicks(t, &ticks, filepath.Join(root, "proc/self/cgroup"), "0::/small.slice/app.scope\n")
	assert.Equal(t, int64(241591910), debug.SetMemoryLimit(-1), "0.9 of the new pod's 256 MiB, within a tick after the move")
	undo()
	assert.Contains(t, log.String(), "GOMEMLIMIT follows a change of cgroup: 0.9 of the memory limit 268435456 bytes from /small.slice")
}

// TestRefreshLoopUpdateMaxProcs resizes a tree's CPU quota from 0.5 to 2
// CPUs under a running refresh loop and counts ticks: the loop follows it,
// unless GODEBUG=updatemaxprocs=0, under which GOMAXPROCS is set once.
func TestRefreshLoopUpdateMaxProcs(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("needs at least 2 CPUs to see GOMAXPROCS grow")
	}
	for _, tt := range []struct {
		godebug string
		want    int
	}{{"", 2}, {"updatemaxprocs=0", 1}} {
		t.Run("GODEBUG="+tt.godebug, func(t *testing.T) {
			t.Setenv("GODEBUG", tt.godebug)
			root := writeTree(t, v2Tree(nil))
			start := runtime.GOMAXPROCS(0)
			var ticks atomic.Int64
			defer limits.OnTick(func(bool) { ticks.Add(1) })()
			s, undo, err := limits.SetGoMaxProcs(limits.WithRoot(root), limits.WithRoundDown(), limits.WithRefresh(5*time.Millisecond))
			require.NoError(t, err)
			defer undo()
			require.Equal(t, int64(1), s.Value, "0.5 CPU rounded down")

			rewriteThenTwoTicks(t, &ticks, filepath.Join(root, "sys/fs/cgroup/pod.slice/app.scope/cpu.max"), "200000 100000\n")
			assert.Equal(t, tt.want, runtime.GOMAXPROCS(0))
			undo()
			assert.Equal(t, start, runtime.GOMAXPROCS(0), "undo restores GOMAXPROCS")
		})
	}
}

// rewriteThenTwoTicks rewrites file in place with data, then waits until two
// more ticks (counted in ticks) have ended: the second one started after the
// rewrite. Wall time only bounds a hang; the callers' assertions count ticks.
func rewriteThenTwoTicks(t *testing.T, ticks *atomic.Int64, file, data string) {
	t.Helper()
	require.NoError(t, os.WriteFile(file, []byte(data), 0o644))
	from := ticks.Load()
	require.True(t, eventually(t, time.Minute, func() bool { return ticks.Load() >= from+2 }), "the loop stopped ticking")
}

// TestRefreshLoopSharedDeadBand runs the shared-limit policy's refresh over
// a 256 MiB pod whose other cgroups' usage is rewritten, and counts ticks:
// a change of the budget below the dead-band (16 MiB here) leaves GOMEMLIMIT
// as it is, a larger one moves it, and a later small change is measured
// from the budget in force.
func TestRefreshLoopSharedDeadBand(t *testing.T) {
	root := writeTree(t, sharedTree(150, 50))
	podCurrent := filepath.Join(root, "sys/fs/cgroup/pod.slice/memory.current")
	start := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(start)
	var ticks atomic.Int64
	defer limits.OnTick(func(bool) { ticks.Add(1) })()
	s, undo, err := limits.SetGoMemLimit(limits.WithRoot(root), limits.WithSharedMemoryLimit(), limits.WithRefresh(5*time.Millisecond))
	require.NoError(t, err)
	defer undo()
	limitFor := func(othersMiB uint64) int64 { return int64(float64((256-othersMiB)<<20) * limits.DefaultMemoryRatio) }
	require.Equal(t, limitFor(100), s.Value, s.Reason)

	steps := []struct {
		podMiB uint64 // the pod's usage; the process's own cgroup uses 50 MiB
		want   int64
		why    string
	}{
		{160, limitFor(100), "the others grow by 10 MiB, within the dead-band"},
		{175, limitFor(125), "by 25 MiB from the budget in force: it moves"},
		{165, limitFor(125), "back by 10 MiB: within the dead-band of the budget in force"},
		{50, limitFor(0), "the others release everything"},
	}
	for _, st := range steps {
		rewriteThenTwoTicks(t, &ticks, podCurrent, strconv.FormatUint(st.podMiB<<20, 10)+"\n")
		assert.Equal(t, st.want, debug.SetMemoryLimit(-1), st.why)
	}
}
