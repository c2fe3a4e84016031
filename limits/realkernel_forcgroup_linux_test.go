//go:build linux

package limits_test

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/cgtest"
	"github.com/truelimit/truelimit/limits"
)

// TestRealKernelForCgroupBeforeTheScopeExists is what a sandbox runtime does:
// ask for the limits of the container cgroup it is about to create. On this
// machine's v1 hierarchies a parent gets 192 MiB and 0.75 CPU; ForCgroup on a
// child path that does not exist yet must answer the parent's limits, say so
// with cgroup-not-created, and never create or read the child.
func TestRealKernelForCgroupBeforeTheScopeExists(t *testing.T) {
	parent := cgtest.New(t, "memory", "cpu")
	parent.Set(t, "memory", "memory.limit_in_bytes", "201326592")
	parent.Set(t, "cpu", "cpu.cfs_period_us", "100000")
	parent.Set(t, "cpu", "cpu.cfs_quota_us", "75000")

	// A relative cgroupsPath is taken below the caller's own cgroup in each
	// hierarchy, as runc does; the group is a child of ours in both.
	name := path.Base(parent.Path("memory"))
	require.Equal(t, name, path.Base(parent.Path("cpu")))
	tests := []struct {
		name string
		path string
	}{
		{"relative", name + "/sandbox-not-created-yet"},
		{"relative, two missing levels", name + "/pod-x/sandbox-not-created-yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := limits.ForCgroup(tt.path, limits.FormAuto)
			require.NoError(t, err)
			assert.Equal(t, limits.Limited, res.Memory.Limit.State)
			assert.Equal(t, uint64(201326592), res.Memory.Limit.Value)
			assert.Equal(t, parent.Path("memory"), res.Memory.Limit.Source)
			assert.Equal(t, 0.75, res.CPU.Limit.CPUs())
			assert.Equal(t, parent.Path("cpu"), res.CPU.Limit.Source)
			assert.True(t, res.Has(limits.CodeCgroupNotCreated), "%+v", res.Diagnostics)
			mem, ok := res.Placement("memory")
			require.True(t, ok)
			assert.Equal(t, parent.Path("memory"), mem.Path, "the walk starts at the nearest existing ancestor")

			b := res.SandboxBudget(1)
			assert.Equal(t, uint64(201326592), b.MemoryBytes)
			assert.Equal(t, 1, b.CPUs, "0.75 CPU rounds up to 1")
		})
	}

	// The absolute form of an existing memory cgroup reads it directly. On
	// this host the memory cgroup is not at the same path as the cpu one, so
	// in the cpu hierarchy the walk starts above the missing path.
	res, err := limits.ForCgroup(parent.Path("memory"), limits.FormAuto)
	require.NoError(t, err)
	assert.Equal(t, parent.Path("memory"), res.Memory.Limit.Source)
	mem, ok := res.Placement("memory")
	require.True(t, ok)
	assert.Equal(t, parent.Path("memory"), mem.Path)
}

// TestRealKernelMemoryStatDecidesTheV1Walk: on this machine's v1 memory
// hierarchy, while nothing above a cgroup is limited, the kernel's
// hierarchical_memory_limit in its memory.stat reads unlimited and ForCgroup
// reads no memory.limit_in_bytes at all; once the parent gets a limit the
// walk runs and names the parent as the source.
func TestRealKernelMemoryStatDecidesTheV1Walk(t *testing.T) {
	parent := cgtest.New(t, "memory")
	child := parent.Child(t, "leaf")
	limitFiles := func() (n int, res limits.Result) {
		stop := limits.TraceReads(func(p []byte) {
			if strings.HasSuffix(string(p[:len(p)-1]), "/memory.limit_in_bytes") {
				n++
			}
		})
		defer stop()
		res, err := limits.ForCgroup(child.Path("memory"), limits.FormAuto)
		require.NoError(t, err)
		return n, res
	}

	stat := child.Read(t, "memory", "memory.stat")
	if !strings.Contains(stat, "hierarchical_memory_limit 9223372036854") {
		t.Skipf("a cgroup above this test's limits memory, so the kernel's minimum is a limit:\n%s", stat)
	}
	n, res := limitFiles()
	assert.Equal(t, limits.Unlimited, res.Memory.Limit.State)
	assert.Zero(t, n, "no memory.limit_in_bytes is read while memory.stat says nothing is limited")

	parent.Set(t, "memory", "memory.limit_in_bytes", "268435456")
	n, res = limitFiles()
	assert.Equal(t, limits.Limited, res.Memory.Limit.State)
	assert.Equal(t, uint64(268435456), res.Memory.Limit.Value)
	assert.Equal(t, parent.Path("memory"), res.Memory.Limit.Source)
	assert.GreaterOrEqual(t, n, 2, "the walk reads the leaf's and the parent's limits")
}

// TestRealKernelForCgroupChurn races ForCgroup against a cgroup that another
// goroutine removes and recreates in a tight loop, as a runtime does when it
// restarts a container under the same path. Whatever ForCgroup sees, the path
// is valid: each answer must be the cgroup itself, or (while it is gone) its
// parent with cgroup-not-created, and never an invalid-path error.
//
// The group exists in the memory, cpu, cpuset and pids hierarchies and is
// asked for by its relative path (below the test's own cgroup in each); only
// the memory one churns, so cgroup-not-created must come with the memory
// placement at the parent and only then.
func TestRealKernelForCgroupChurn(t *testing.T) {
	const calls = 20000
	parent := cgtest.New(t, "memory", "cpu", "cpuset", "pids")
	child := parent.Child(t, "churn") // removed at cleanup if it exists then
	name := path.Base(parent.Path("memory"))
	rel := name + "/churn"
	childDir := child.Dir("memory")

	// The churner: rmdir and mkdir until the callers are done. A v1 memory
	// cgroup with no task and no charge is freed at rmdir (no memcg ID is
	// kept), so the loop leaves nothing behind.
	done := make(chan struct{})
	var cycles int
	var churnErr error
	var churner sync.WaitGroup
	churner.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			if err := syscall.Rmdir(childDir); err != nil {
				churnErr = err
				return
			}
			if err := syscall.Mkdir(childDir, 0o755); err != nil {
				churnErr = err
				return
			}
			cycles++
		}
	})
	stopChurn := sync.OnceFunc(func() { close(done); churner.Wait() })
	t.Cleanup(stopChurn) // before the groups are removed, also on a failure

	var (
		next, invalid, atChild, atParent, unexpected atomic.Int64
		firstUnexpected                              atomic.Value
	)
	note := func(format string, args ...any) {
		unexpected.Add(1)
		firstUnexpected.CompareAndSwap(nil, fmt.Sprintf(format, args...))
	}
	start := time.Now()
	var callers sync.WaitGroup
	for range 2 {
		callers.Go(func() {
			for next.Add(1) <= calls {
				res, err := limits.ForCgroup(rel, limits.FormCgroupfs)
				if errors.Is(err, limits.ErrInvalidCgroupPath) {
					invalid.Add(1)
					firstUnexpected.CompareAndSwap(nil, err.Error())
					continue
				}
				if err != nil {
					note("error: %v", err)
					continue
				}
				mem, ok := res.Placement("memory")
				notCreated := res.Has(limits.CodeCgroupNotCreated)
				switch {
				case !ok:
					note("memory not located: %+v", res.Diagnostics)
				case mem.Path == child.Path("memory") && !notCreated:
					atChild.Add(1)
				case mem.Path == parent.Path("memory") && notCreated:
					atParent.Add(1)
				default:
					note("memory placement %s, cgroup-not-created %v: %+v", mem.Path, notCreated, res.Diagnostics)
				}
				for _, c := range []string{"cpu", "cpuset", "pids"} {
					if p, ok := res.Placement(c); !ok || p.Path != child.Path(c) {
						note("%s placement %+v (located %v), want %s", c, p, ok, child.Path(c))
					}
				}
			}
		})
	}
	callers.Wait()
	elapsed := time.Since(start)
	stopChurn()

	t.Logf("%d calls in %v: %d invalid-path errors, %d at the cgroup, %d at its parent (not created), %d unexpected; %d rmdir/mkdir cycles",
		calls, elapsed.Round(time.Millisecond), invalid.Load(), atChild.Load(), atParent.Load(), unexpected.Load(), cycles)
	require.NoError(t, churnErr, "the churner")
	assert.Zero(t, invalid.Load(), "invalid-path errors for a valid path; first: %v", firstUnexpected.Load())
	assert.Zero(t, unexpected.Load(), "first: %v", firstUnexpected.Load())
	// Without both outcomes the race was not exercised.
	assert.Positive(t, atChild.Load(), "never saw the cgroup")
	assert.Positive(t, atParent.Load(), "never saw the cgroup gone")
}
