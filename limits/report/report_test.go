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
	data, err := JSON(res, nil)
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
	  "walk": [],
	  "usage": null
	}`, string(data))

	var none map[string]any
	data, err = JSON(limits.Result{}, nil)
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
	require.NoError(t, Text(&out, res, nil))
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

func TestUsageJSONAndText(t *testing.T) {
	known := func(v uint64) limits.Count { return limits.Count{Value: v, Known: true} }
	res := limits.Result{
		Mode:   cgroup.ModeV2,
		Memory: limits.Memory{Limit: limits.Limit{State: limits.Limited, Value: 1 << 30, Source: "/pod.slice"}},
		CPU:    limits.CPU{Limit: limits.CPULimit{State: limits.Limited, Quota: 50000, Period: 100000, Source: "/pod.slice"}},
	}
	u := limits.Usage{
		Memory: limits.MemoryUsage{
			Current: known(300 << 20), WorkingSet: known(240 << 20), Anon: known(200 << 20), Kernel: known(10 << 20),
			Headroom:    limits.Headroom{Known: true, Bytes: 124 << 20, Source: "/pod.slice"},
			Events:      limits.MemoryEvents{High: known(0), Max: known(0), OOM: known(0), OOMKill: known(1)},
			LimitEvents: &limits.LimitEvents{Source: "/pod.slice", MemoryEvents: limits.MemoryEvents{Max: known(12)}},
		},
		CPU: limits.CPUUsage{UsageUsec: known(450000), Throttling: &limits.Throttling{Source: "/pod.slice",
			Periods: known(400), ThrottledPeriods: known(120), ThrottledUsec: known(3500000)}},
		Pids:     known(7),
		Pressure: limits.Pressures{Memory: &limits.Pressure{Some: limits.PressureLine{Avg10: 1.5, TotalUsec: 9}}},
	}
	data, err := JSON(res, &u)
	require.NoError(t, err)
	var doc struct{ Usage map[string]any }
	require.NoError(t, json.Unmarshal(data, &doc))
	usage, err := json.Marshal(doc.Usage)
	require.NoError(t, err)
	assert.JSONEq(t, `{
	  "memory": {"current_bytes": 314572800, "working_set_bytes": 251658240, "peak_bytes": null, "swap_bytes": null,
	             "anon_bytes": 209715200, "file_bytes": null, "kernel_bytes": 10485760, "sock_bytes": null,
	             "shmem_bytes": null, "inactive_file_bytes": null,
	             "headroom_bytes": 130023424, "headroom_source": "/pod.slice",
	             "high_headroom_bytes": null, "high_headroom_source": null,
	             "events": {"high": 0, "max": 0, "oom": 0, "oom_kill": 1},
	             "limit_events": {"source": "/pod.slice", "high": null, "max": 12, "oom": null, "oom_kill": null}},
	  "cpu": {"usage_us": 450000,
	          "throttling": {"source": "/pod.slice", "periods": 400, "throttled_periods": 120, "throttled_us": 3500000}},
	  "pids": {"current": 7},
	  "pressure": {"memory": {"some": {"avg10": 1.5, "avg60": 0, "avg300": 0, "total_us": 9}, "full": null},
	               "cpu": null, "io": null}
	}`, string(usage))

	var out bytes.Buffer
	require.NoError(t, Text(&out, res, &u))
	for _, want := range []string{
		"300 MiB of 1 GiB (29%) · working set 240 MiB · headroom 124 MiB at /pod.slice",
		"anon 200 MiB · kernel 10 MiB", "oom_kill 1 · at /pod.slice: max 12",
		"0.45 s used · throttled in 120 of 400 periods (30%) at /pod.slice", "avg10 memory some 1.50%",
	} {
		assert.Contains(t, out.String(), want)
	}
}
