package limits_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/limits"
)

// podmanPodTree is a host's view of a container in a pod: the pod slice
// limits memory (256 MiB), CPU (0.5) and pids (100), the container's own
// cgroup, the process's cgroup namespace root, sets 512 MiB, 1 CPU and no
// pids limit. proc/4242/ is the container's process as the host sees it.
func podmanPodTree(overrides map[string]string) map[string]string {
	const pod = "sys/fs/cgroup/machine.slice/pod.slice/"
	files := map[string]string{
		"proc/self/mountinfo":                            v2Mountinfo,
		"proc/self/cgroup":                               "0::/user.slice\n",
		"proc/4242/cgroup":                               "0::/machine.slice/pod.slice/ctr.scope\n",
		"proc/4242/mountinfo":                            "1503 1495 0:30 /machine.slice/pod.slice/ctr.scope /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw\n",
		"proc/meminfo":                                   "MemTotal:        8000000 kB\n",
		"sys/fs/cgroup/cgroup.controllers":               "cpuset cpu io memory pids\n",
		"sys/fs/cgroup/machine.slice/memory.max":         "max\n",
		"sys/fs/cgroup/machine.slice/cpu.max":            "max 100000\n",
		"sys/fs/cgroup/machine.slice/pids.max":           "max\n",
		pod + "memory.max":                               "268435456\n",
		pod + "memory.high":                              "max\n",
		pod + "cpu.max":                                  "50000 100000\n",
		pod + "pids.max":                                 "100\n",
		pod + "ctr.scope/cgroup.controllers":             "cpuset cpu io memory pids\n",
		pod + "ctr.scope/memory.max":                     "536870912\n",
		pod + "ctr.scope/memory.high":                    "max\n",
		pod + "ctr.scope/cpu.max":                        "100000 100000\n",
		pod + "ctr.scope/pids.max":                       "max\n",
		"sys/fs/cgroup/machine.slice/cgroup.controllers": "cpuset cpu io memory pids\n",
	}
	return overridden(files, overrides)
}

// TestForPIDSaysWhatIsHiddenFromTheProcess reads a host's view of a process
// whose binding limits are above (or not above) the top cgroup it can see.
func TestForPIDSaysWhatIsHiddenFromTheProcess(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		hidden   bool
		contains []string
		absent   []string
	}{
		{
			name:   "pod limits above the container's namespace root",
			files:  podmanPodTree(nil),
			hidden: true,
			contains: []string{
				"memory limit: below the top of its memory hierarchy, /machine.slice/pod.slice/ctr.scope, it sees 536870912 bytes from /machine.slice/pod.slice/ctr.scope, but 268435456 bytes from /machine.slice/pod.slice applies",
				"CPU limit: below the top of its cpu hierarchy, /machine.slice/pod.slice/ctr.scope, it sees 1 CPUs from /machine.slice/pod.slice/ctr.scope, but 0.5 CPUs from /machine.slice/pod.slice applies",
				"pids limit: below the top of its pids hierarchy, /machine.slice/pod.slice/ctr.scope, it sees unlimited, but 100 from /machine.slice/pod.slice applies",
			},
			absent: []string{"memory.high"},
		},
		{
			name:   "the process sees the pod (its namespace is the pod's)",
			files:  podmanPodTree(map[string]string{"proc/4242/mountinfo": "1503 1495 0:30 /machine.slice/pod.slice /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"}),
			hidden: false,
		},
		{
			name:   "the process shares the host's namespace",
			files:  podmanPodTree(map[string]string{"proc/4242/mountinfo": "1503 1495 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"}),
			hidden: false,
		},
		{
			name:     "the process has no cgroup mount",
			files:    podmanPodTree(map[string]string{"proc/4242/mountinfo": "1503 1495 0:5 / /proc rw - proc proc rw\n"}),
			hidden:   true,
			contains: []string{"memory limit: it has no mount of the memory hierarchy, so it sees no cgroup limit, but 268435456 bytes from /machine.slice/pod.slice applies"},
		},
		{
			name:   "the process's mountinfo cannot be read",
			files:  podmanPodTree(map[string]string{"proc/4242/mountinfo": "<delete>"}),
			hidden: false,
		},
		{
			name:   "the process's cgroup is outside its mount",
			files:  podmanPodTree(map[string]string{"proc/4242/mountinfo": "1503 1495 0:30 /other.slice /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"}),
			hidden: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := limits.ForPID(4242, limits.WithRoot(writeTree(t, tt.files)))
			require.NoError(t, err)
			assert.Equal(t, uint64(268435456), res.Memory.Limit.Value)
			assert.Equal(t, limits.ScopeEffective, res.Memory.Limit.Scope, "the host's walk reaches the root")
			require.Equal(t, tt.hidden, res.Has(limits.CodeLimitHiddenFromProcess), "%v", res.Diagnostics)
			for _, d := range res.Diagnostics {
				if d.Code != limits.CodeLimitHiddenFromProcess {
					continue
				}
				for _, s := range tt.contains {
					assert.Contains(t, d.Message, s)
				}
				for _, s := range tt.absent {
					assert.NotContains(t, d.Message, s)
				}
			}
			detect, err := limits.Detect(limits.WithRoot(writeTree(t, tt.files)))
			require.NoError(t, err)
			assert.False(t, detect.Has(limits.CodeLimitHiddenFromProcess), "Detect never reports it")
		})
	}
}

// TestScopeOfValues checks which values are only the tightest visible: a
// walk that ends at a top that is not the root cgroup.
func TestScopeOfValues(t *testing.T) {
	inside := map[string]string{
		// The container's view of the pod tree: its namespace root is
		// its own cgroup, which has memory.max and cpu.max.
		"proc/self/mountinfo":              v2Mountinfo,
		"proc/self/cgroup":                 "0::/\n",
		"proc/meminfo":                     "MemTotal:        8000000 kB\n",
		"sys/fs/cgroup/cgroup.controllers": "cpuset cpu io memory pids\n",
		"sys/fs/cgroup/memory.max":         "536870912\n",
		"sys/fs/cgroup/memory.high":        "max\n",
		"sys/fs/cgroup/cpu.max":            "100000 100000\n",
		"sys/fs/cgroup/pids.max":           "max\n",
	}
	res, err := limits.Detect(limits.WithRoot(writeTree(t, inside)))
	require.NoError(t, err)
	for name, scope := range map[string]limits.Scope{
		"memory": res.Memory.Limit.Scope, "memory.high": res.Memory.High.Scope,
		"cpu": res.CPU.Limit.Scope, "pids": res.Pids.Scope,
	} {
		assert.Equal(t, limits.ScopeVisible, scope, name)
	}
	assert.True(t, res.Has(limits.CodeAncestorsHidden))
	for _, d := range res.Diagnostics {
		if d.Code == limits.CodeAncestorsHidden {
			assert.Contains(t, d.Message, "only the tightest visible, not provably effective: memory limit (limited), memory.high (unlimited), CPU limit (limited), pids limit (unlimited)")
		}
	}

	host, err := limits.Detect(limits.WithRoot(writeTree(t, v2Tree(nil))))
	require.NoError(t, err)
	assert.Equal(t, limits.ScopeEffective, host.Memory.Limit.Scope)
	assert.Equal(t, limits.ScopeEffective, host.CPU.Limit.Scope)
	assert.False(t, host.Has(limits.CodeAncestorsHidden))
}
