//go:build linux

package limits_test

import (
	"path"
	"strings"
	"testing"

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
