package node_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/treetest"
	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/node"
)

// counted is a known count.
func counted(v uint64) limits.Count { return limits.Count{Value: v, Known: true} }

// TestScanCountersV1 reads the counters of the EKS tree, whose memory and
// cpu,cpuacct hierarchies are apart: the app container's are joined from
// both, memory.failcnt and oom_kill from the one, cpu.stat (throttled_time
// in nanoseconds) from the other.
func TestScanCountersV1(t *testing.T) {
	const app = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podfc2e7b49_fa57_44d8_9a69_5c09dc30665b.slice/cri-containerd-63cf92647c8b6463781e3f51d90fcbc22ec0bd40a28979d8c219b9b231342445.scope"
	root := "../../testdata/v1-eks-sidecar-at-limit-pod-headroom-host-view"
	tree, err := node.Scan(node.WithRoot(root), node.WithCounters())
	require.NoError(t, err)
	cg := tree.Lookup(app)
	require.NotNil(t, cg)
	require.NotNil(t, cg.Counters)
	assert.Equal(t, node.CgroupCounters{Max: counted(2741), OOMKill: counted(1),
		Periods: counted(864000), ThrottledPeriods: counted(25920), ThrottledUsec: counted(777123456)}, *cg.Counters)
	for _, other := range tree.Cgroups {
		require.NotNil(t, other.Counters, other.Path)
		if other.Path != app {
			assert.Equal(t, node.CgroupCounters{}, *other.Counters, "%s has none of the files", other.Path)
		}
	}
	assert.Empty(t, tree.Diagnostics)

	tree, err = node.Scan(node.WithRoot(root))
	require.NoError(t, err)
	assert.Nil(t, tree.Lookup(app).Counters, "without WithCounters")
}

// TestScanCountersV2 reads memory.events.local, never memory.events, and
// the bandwidth lines of cpu.stat, on a generated v2 tree.
func TestScanCountersV2(t *testing.T) {
	root := treetest.Write(t, map[string]string{
		"proc/self/mountinfo":                       "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
		"sys/fs/cgroup/cgroup.controllers":          "cpu memory pids\n",
		"sys/fs/cgroup/pod/cgroup.controllers":      "cpu memory pids\n",
		"sys/fs/cgroup/pod/memory.max":              "268435456\n",
		"sys/fs/cgroup/pod/memory.events":           "low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\n",
		"sys/fs/cgroup/pod/memory.events.local":     "low 0\nhigh 0\nmax 7\noom 1\noom_kill 0\n",
		"sys/fs/cgroup/pod/cpu.max":                 "50000 100000\n",
		"sys/fs/cgroup/pod/cpu.stat":                "usage_usec 9\nnr_periods 100\nnr_throttled 40\nthrottled_usec 123456\n",
		"sys/fs/cgroup/pod/app/cgroup.controllers":  "\n",
		"sys/fs/cgroup/pod/app/memory.events":       "low 0\nhigh 0\nmax 0\noom 0\noom_kill 1\n",
		"sys/fs/cgroup/pod/app/memory.events.local": "low 0\nhigh 0\nmax 0\noom 0\noom_kill 1\n",
		"sys/fs/cgroup/pod/app/cpu.stat":            "usage_usec 9\n",
		"sys/fs/cgroup/pod/old/cgroup.controllers":  "\n",
		"sys/fs/cgroup/pod/old/memory.events":       "oom_kill 5\n",
		"sys/fs/cgroup/pod/bad/cgroup.controllers":  "\n",
		"sys/fs/cgroup/pod/bad/memory.events.local": "oom_kill lots\n",
		"sys/fs/cgroup/pod/bad/cpu.stat":            "usage_usec 9\n",
		"sys/fs/cgroup/pod/old/cpu.stat":            "usage_usec 9\n",
	})
	tree, err := node.Scan(node.WithRoot(root), node.WithCounters())
	require.NoError(t, err)
	counters := func(path string) node.CgroupCounters {
		cg := tree.Lookup(path)
		require.NotNil(t, cg, path)
		require.NotNil(t, cg.Counters, path)
		return *cg.Counters
	}
	assert.Equal(t, node.CgroupCounters{High: counted(0), Max: counted(7), OOM: counted(1), OOMKill: counted(0),
		Periods: counted(100), ThrottledPeriods: counted(40), ThrottledUsec: counted(123456)}, counters("/pod"),
		"the pod's own events: the kill was the app's")
	assert.Equal(t, node.CgroupCounters{High: counted(0), Max: counted(0), OOM: counted(0), OOMKill: counted(1)}, counters("/pod/app"),
		"no cpu controller below the pod: no bandwidth counters")
	assert.Equal(t, node.CgroupCounters{}, counters("/pod/old"), "before 5.2 the hierarchical memory.events is not read")
	assert.Equal(t, node.CgroupCounters{}, counters("/pod/bad"))
	require.Len(t, tree.Diagnostics, 1)
	assert.Equal(t, limits.CodeBadValue, tree.Diagnostics[0].Code)
	assert.Contains(t, tree.Diagnostics[0].Message, "/sys/fs/cgroup/pod/bad/memory.events.local")
}
