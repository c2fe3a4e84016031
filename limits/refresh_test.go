package limits_test

import (
	"os"
	"path/filepath"
	"runtime/debug"
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
