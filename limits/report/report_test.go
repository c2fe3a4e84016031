package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/limits"
)

func TestJSONNullsAndSources(t *testing.T) {
	set, err := cgroup.ParseCPUList([]byte("0-3,8"))
	require.NoError(t, err)
	res := limits.Result{
		Mode: cgroup.ModeV2,
		Memory: limits.Memory{
			Limit: limits.Limit{State: limits.Limited, Value: 268435456, Source: "/pod.slice"},
			High:  limits.Limit{State: limits.Unlimited, Scope: limits.ScopeVisible},
		},
		CPU: limits.CPU{
			Limit:  limits.CPULimit{State: limits.Limited, Quota: 150000, Period: 100000, Source: "/pod.slice/c.scope", Scope: limits.ScopeVisible},
			Set:    limits.CPUSetLimit{State: limits.Limited, CPUs: set, Source: "/"},
			Weight: limits.Weight{State: limits.Limited, Value: 100, Source: "/pod.slice/c.scope"},
		},
		Placements:  []limits.Placement{{Controller: "memory", Version: 2, Path: "/pod.slice/c.scope", MountPoint: "/sys/fs/cgroup", MountRoot: "/"}},
		Diagnostics: []limits.Diagnostic{{Code: limits.CodeLimitInAncestor, Message: "above"}},
	}
	data, err := JSON(res)
	require.NoError(t, err)
	assert.JSONEq(t, `{
	  "mode": "v2",
	  "memory": {"state": "limited", "limit_bytes": 268435456, "source": "/pod.slice", "scope": "effective",
	             "high_bytes": null, "high_source": null, "high_scope": "visible",
	             "swap_bytes": null, "swap_source": null, "swap_scope": null,
	             "memsw_bytes": null, "memsw_source": null, "memsw_scope": null},
	  "cpu": {"state": "limited", "limit": 1.5, "source": "/pod.slice/c.scope", "scope": "visible",
	          "quota_us": 150000, "period_us": 100000,
	          "cpuset_cpus": 5, "cpuset": "0-3,8", "cpuset_source": "/",
	          "weight": 100, "shares": null, "weight_source": "/pod.slice/c.scope"},
	  "pids": {"limit": null, "source": null, "scope": null},
	  "host": {"mem_total_bytes": null, "online_cpus": null, "affinity_cpus": null, "kernel": null},
	  "cgroups": {"memory": {"version": 2, "path": "/pod.slice/c.scope", "dir": "/sys/fs/cgroup/pod.slice/c.scope"},
	              "cpu": null, "cpuset": null, "pids": null},
	  "diagnostics": [{"code": "limit-in-ancestor", "message": "above"}],
	  "walk": []
	}`, string(data))

	var none map[string]any
	data, err = JSON(limits.Result{})
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &none))
	assert.Nil(t, none["mode"], "mode none is JSON null")
	assert.Equal(t, "unknown", none["memory"].(map[string]any)["state"])
}

func TestText(t *testing.T) {
	res := limits.Result{
		Mode:        cgroup.ModeV1,
		Memory:      limits.Memory{Limit: limits.Limit{State: limits.Limited, Value: 256 << 20, Source: "/parent"}},
		CPU:         limits.CPU{Limit: limits.CPULimit{State: limits.Unlimited, Scope: limits.ScopeVisible}},
		Placements:  []limits.Placement{{Controller: "memory", Version: 1, Path: "/parent/child", MountPoint: "/sys/fs/cgroup/memory", MountRoot: "/"}},
		Walk:        []limits.Reading{{Controller: "memory", Cgroup: "/parent", File: "memory.limit_in_bytes", Value: "268435456"}},
		Diagnostics: []limits.Diagnostic{{Code: limits.CodeLimitInAncestor, Message: "set above"}},
	}
	var out bytes.Buffer
	require.NoError(t, Text(&out, res))
	for _, want := range []string{"cgroup mode:  v1", "256 MiB (268435456 bytes)", "from /parent", "n/a on cgroup v1",
		"memory.limit_in_bytes", "! limit-in-ancestor: set above", "/sys/fs/cgroup/memory/parent/child",
		"as far as visible (see ancestors-hidden)"} {
		assert.Contains(t, out.String(), want)
	}
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[uint64]string{0: "0 B", 1023: "1023 B", 1024: "1 KiB", 256 << 20: "256 MiB", 3 << 29: "1.5 GiB", 1 << 62: "4 EiB"} {
		assert.Equal(t, want, humanBytes(n), "%d", n)
	}
}
