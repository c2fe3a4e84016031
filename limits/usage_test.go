package limits_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/limits"
)

const mib = 1 << 20

// podUsageTree is a v2 pod of two containers: the pod slice limits memory
// to 1 GiB and CPU to 0.5, the process's container (ctr.scope) has no limit
// of its own; the pod charges 900 MiB of which the process's container 300.
func podUsageTree(overrides map[string]string) map[string]string {
	const pod = "sys/fs/cgroup/pod.slice/"
	const ctr = pod + "ctr.scope/"
	files := map[string]string{
		"proc/self/mountinfo":              v2Mountinfo,
		"proc/self/cgroup":                 "0::/pod.slice/ctr.scope\n",
		"proc/meminfo":                     "MemTotal:        8000000 kB\n",
		"sys/fs/cgroup/cgroup.controllers": "cpuset cpu io memory pids\n",
		pod + "cgroup.controllers":         "cpuset cpu io memory pids\n",
		pod + "memory.max":                 "1073741824\n",
		pod + "memory.high":                "max\n",
		pod + "memory.current":             "943718400\n",
		pod + "memory.events":              "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n",
		pod + "cpu.max":                    "50000 100000\n",
		pod + "cpu.stat":                   "usage_usec 900000\nuser_usec 800000\nsystem_usec 100000\nnr_periods 400\nnr_throttled 120\nthrottled_usec 3500000\n",
		pod + "pids.max":                   "max\n",
		ctr + "cgroup.controllers":         "cpuset cpu io memory pids\n",
		ctr + "memory.max":                 "max\n",
		ctr + "memory.high":                "max\n",
		ctr + "memory.current":             "314572800\n",
		ctr + "memory.peak":                "419430400\n",
		ctr + "memory.swap.current":        "0\n",
		ctr + "memory.stat": "anon 209715200\nfile 94371840\nkernel 10485760\nkernel_stack 163840\nsock 4096\n" +
			"shmem 1048576\ninactive_file 62914560\nactive_file 31457280\n",
		ctr + "memory.events":   "low 0\nhigh 0\nmax 0\noom 0\noom_kill 1\noom_group_kill 0\n",
		ctr + "cpu.max":         "max 100000\n",
		ctr + "cpu.stat":        "usage_usec 450000\nuser_usec 400000\nsystem_usec 50000\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n",
		ctr + "pids.max":        "max\n",
		ctr + "pids.current":    "7\n",
		ctr + "memory.pressure": "some avg10=1.50 avg60=0.75 avg300=0.20 total=123456\nfull avg10=0.50 avg60=0.25 avg300=0.05 total=45678\n",
		ctr + "cpu.pressure":    "some avg10=12.00 avg60=8.00 avg300=2.00 total=999\n",
	}
	return overridden(files, overrides)
}

func TestUsageOfAPodContainer(t *testing.T) {
	res, u, err := limits.DetectUsage(limits.WithRoot(writeTree(t, podUsageTree(nil))))
	require.NoError(t, err)
	m := u.Memory
	known := func(v uint64) limits.Count { return limits.Count{Value: v, Known: true} }
	assert.Equal(t, known(300*mib), m.Current)
	assert.Equal(t, known(240*mib), m.WorkingSet, "current minus inactive_file")
	assert.Equal(t, known(400*mib), m.Peak)
	assert.Equal(t, known(0), m.Swap)
	assert.Equal(t, known(200*mib), m.Anon)
	assert.Equal(t, known(90*mib), m.File)
	assert.Equal(t, known(10*mib), m.Kernel)
	assert.Equal(t, known(4096), m.Sock)
	assert.Equal(t, known(1*mib), m.Shmem)
	assert.Equal(t, known(60*mib), m.InactiveFile)
	assert.Equal(t, limits.Headroom{Known: true, Bytes: 124 * mib, Source: "/pod.slice"}, m.Headroom,
		"the pod's limit minus the pod's usage, not minus the container's")
	assert.Equal(t, limits.Headroom{}, m.HighHeadroom, "no level sets memory.high")
	assert.Equal(t, limits.MemoryEvents{High: known(0), Max: known(0), OOM: known(0), OOMKill: known(1)}, m.Events)
	require.NotNil(t, m.LimitEvents)
	assert.Equal(t, limits.LimitEvents{Source: "/pod.slice",
		MemoryEvents: limits.MemoryEvents{High: known(0), Max: known(12), OOM: known(1), OOMKill: known(1)}}, *m.LimitEvents)

	c := u.CPU
	assert.Equal(t, known(450000), c.UsageUsec)
	require.NotNil(t, c.Throttling)
	assert.Equal(t, limits.Throttling{Source: "/pod.slice", Periods: known(400), ThrottledPeriods: known(120),
		ThrottledUsec: known(3500000)}, *c.Throttling, "read at the level that sets the quota")
	assert.Equal(t, known(7), u.Pids)

	p := u.Pressure
	require.NotNil(t, p.Memory)
	assert.Equal(t, limits.PressureLine{Avg10: 1.5, Avg60: 0.75, Avg300: 0.2, TotalUsec: 123456}, p.Memory.Some)
	require.NotNil(t, p.Memory.Full)
	assert.Equal(t, uint64(45678), p.Memory.Full.TotalUsec)
	require.NotNil(t, p.CPU)
	assert.Nil(t, p.CPU.Full, "cpu.pressure without a full line (before 5.13)")
	assert.Nil(t, p.IO, "io.pressure absent")

	require.True(t, res.Has(limits.CodeSharedLimit), "%v", res.Diagnostics)
	for _, d := range res.Diagnostics {
		if d.Code == limits.CodeSharedLimit {
			assert.Contains(t, d.Message, "/pod.slice, 1073741824 bytes")
			assert.Contains(t, d.Message, "use 629145600 bytes")
		}
	}
}

func TestUsageRules(t *testing.T) {
	const pod = "sys/fs/cgroup/pod.slice/"
	const ctr = pod + "ctr.scope/"
	known := func(v uint64) limits.Count { return limits.Count{Value: v, Known: true} }
	tests := []struct {
		name      string
		overrides map[string]string
		check     func(t *testing.T, u limits.Usage, r limits.Result)
	}{
		{
			name:      "the container's own limit binds: no shared-limit",
			overrides: map[string]string{ctr + "memory.max": "536870912\n", pod + "memory.current": "419430400\n"},
			check: func(t *testing.T, u limits.Usage, r limits.Result) {
				assert.Equal(t, limits.Headroom{Known: true, Bytes: 212 * mib, Source: "/pod.slice/ctr.scope"}, u.Memory.Headroom)
				assert.Nil(t, u.Memory.LimitEvents, "the limit is the cgroup's own")
				assert.False(t, r.Has(limits.CodeSharedLimit))
			},
		},
		{
			name:      "others below a tenth of the pod's limit: no shared-limit",
			overrides: map[string]string{pod + "memory.current": "409600000\n"},
			check: func(t *testing.T, u limits.Usage, r limits.Result) {
				assert.Equal(t, "/pod.slice", u.Memory.Headroom.Source)
				assert.False(t, r.Has(limits.CodeSharedLimit), "others use 95,027,200 bytes, under 107,374,183")
			},
		},
		{
			name:      "a tie: the closest level is the source",
			overrides: map[string]string{ctr + "memory.max": "314572800\n", pod + "memory.current": "1073741824\n"},
			check: func(t *testing.T, u limits.Usage, r limits.Result) {
				assert.Equal(t, limits.Headroom{Known: true, Bytes: 0, Source: "/pod.slice/ctr.scope"}, u.Memory.Headroom)
			},
		},
		{
			name:      "inactive_file above current: the working set clamps at 0",
			overrides: map[string]string{ctr + "memory.stat": "anon 0\ninactive_file 400000000\n"},
			check: func(t *testing.T, u limits.Usage, _ limits.Result) {
				assert.Equal(t, known(0), u.Memory.WorkingSet)
				assert.Equal(t, limits.Count{}, u.Memory.Kernel, "kernel absent before 5.18: unknown, not 0")
			},
		},
		{
			name: "memory.high headroom without a hard limit",
			overrides: map[string]string{pod + "memory.max": "max\n", pod + "memory.high": "1000000000\n",
				ctr + "memory.high": "800000000\n"},
			check: func(t *testing.T, u limits.Usage, r limits.Result) {
				assert.Equal(t, limits.Headroom{}, u.Memory.Headroom, "no hard limit")
				assert.Equal(t, limits.Headroom{Known: true, Bytes: 1000000000 - 943718400, Source: "/pod.slice"}, u.Memory.HighHeadroom)
				assert.Nil(t, u.Memory.LimitEvents)
			},
		},
		{
			name:      "garbage in the pod's memory.current: headroom unknown, bad-value",
			overrides: map[string]string{pod + "memory.current": "lots\n"},
			check: func(t *testing.T, u limits.Usage, r limits.Result) {
				assert.Equal(t, limits.Headroom{}, u.Memory.Headroom)
				assert.True(t, r.Has(limits.CodeBadValue))
				assert.False(t, r.Has(limits.CodeSharedLimit))
			},
		},
		{
			name: "no usage files (an old kernel or a captured tree): unknown, never 0, no diagnostics",
			overrides: map[string]string{ctr + "memory.current": "<delete>", ctr + "memory.peak": "<delete>",
				ctr + "memory.stat": "<delete>", ctr + "memory.events": "<delete>", ctr + "cpu.stat": "<delete>",
				ctr + "pids.current": "<delete>", ctr + "memory.pressure": "<delete>", ctr + "cpu.pressure": "<delete>",
				ctr + "memory.swap.current": "<delete>"},
			check: func(t *testing.T, u limits.Usage, r limits.Result) {
				assert.Equal(t, limits.MemoryUsage{
					Headroom:    limits.Headroom{Known: true, Bytes: 124 * mib, Source: "/pod.slice"},
					LimitEvents: u.Memory.LimitEvents,
				}, u.Memory)
				assert.Equal(t, limits.Count{}, u.CPU.UsageUsec)
				assert.Equal(t, limits.Pressures{}, u.Pressure)
				assert.False(t, r.Has(limits.CodeBadValue))
				assert.False(t, r.Has(limits.CodeReadError))
				assert.False(t, r.Has(limits.CodeSharedLimit), "the container's usage is unknown")
			},
		},
		{
			name:      "CPU not limited: no throttling",
			overrides: map[string]string{pod + "cpu.max": "max 100000\n"},
			check: func(t *testing.T, u limits.Usage, _ limits.Result) {
				assert.Nil(t, u.CPU.Throttling)
			},
		},
		{
			name:      "the limiting level has no cpu.stat: throttling with its source and unknown counters",
			overrides: map[string]string{pod + "cpu.stat": "<delete>"},
			check: func(t *testing.T, u limits.Usage, _ limits.Result) {
				require.NotNil(t, u.CPU.Throttling)
				assert.Equal(t, limits.Throttling{Source: "/pod.slice"}, *u.CPU.Throttling)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, u, err := limits.DetectUsage(limits.WithRoot(writeTree(t, podUsageTree(tt.overrides))))
			require.NoError(t, err)
			tt.check(t, u, res)
		})
	}
}

// v1UsageTree is a v1 container whose memory limit (256 MiB) is set on a
// parent it cannot see: its mount root is its own cgroup, and only
// memory.stat's hierarchical_memory_limit shows the limit.
func v1UsageTree() map[string]string {
	const mem = "sys/fs/cgroup/memory/"
	const cpu = "sys/fs/cgroup/cpu,cpuacct/"
	return map[string]string{
		"proc/self/mountinfo": "30 25 0:26 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n" +
			"31 25 0:27 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro - cgroup cgroup rw,cpu,cpuacct\n",
		"proc/self/cgroup":                  "5:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n",
		"proc/meminfo":                      "MemTotal:        8000000 kB\n",
		"proc/sys/kernel/osrelease":         "5.10.0\n",
		mem + "memory.limit_in_bytes":       "9223372036854771712\n",
		mem + "memory.use_hierarchy":        "1\n",
		mem + "memory.usage_in_bytes":       "104857600\n",
		mem + "memory.max_usage_in_bytes":   "157286400\n",
		mem + "memory.memsw.usage_in_bytes": "110100480\n",
		mem + "memory.failcnt":              "3\n",
		mem + "memory.oom_control":          "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n",
		mem + "memory.kmem.usage_in_bytes":  "5242880\n",
		mem + "memory.stat": "cache 41943040\nrss 52428800\nhierarchical_memory_limit 268435456\n" +
			"hierarchical_memsw_limit 9223372036854771712\ntotal_cache 41943040\ntotal_rss 52428800\n" +
			"total_shmem 0\ntotal_inactive_file 20971520\n",
		cpu + "cpu.cfs_quota_us":  "25000\n",
		cpu + "cpu.cfs_period_us": "100000\n",
		cpu + "cpu.shares":        "1024\n",
		cpu + "cpu.stat":          "nr_periods 50\nnr_throttled 10\nthrottled_time 2500000999\n",
		cpu + "cpuacct.usage":     "987654321\n",
	}
}

func TestUsageOnV1(t *testing.T) {
	res, u, err := limits.DetectUsage(limits.WithRoot(writeTree(t, v1UsageTree())))
	require.NoError(t, err)
	known := func(v uint64) limits.Count { return limits.Count{Value: v, Known: true} }
	m := u.Memory
	assert.Equal(t, known(100*mib), m.Current)
	assert.Equal(t, known(80*mib), m.WorkingSet)
	assert.Equal(t, known(150*mib), m.Peak)
	assert.Equal(t, known(5*mib), m.Swap, "memsw usage minus usage")
	assert.Equal(t, known(50*mib), m.Anon)
	assert.Equal(t, known(40*mib), m.File)
	assert.Equal(t, known(5*mib), m.Kernel)
	assert.Equal(t, limits.Count{}, m.Sock, "v1 has no sock counter")
	assert.Equal(t, known(0), m.Shmem)
	assert.Equal(t, limits.Headroom{Known: true, Bytes: 156 * mib, Source: limits.SourceHierarchicalMemoryLimit}, m.Headroom)
	assert.Equal(t, limits.MemoryEvents{Max: known(3), OOMKill: known(2)}, m.Events, "v1 has no high or oom counter")
	assert.Nil(t, m.LimitEvents, "the hierarchical limit's level is not known")
	assert.False(t, res.Has(limits.CodeSharedLimit))

	c := u.CPU
	assert.Equal(t, known(987654), c.UsageUsec, "cpuacct.usage in µs, truncated")
	require.NotNil(t, c.Throttling)
	assert.Equal(t, limits.Throttling{Source: "/docker/abc", Periods: known(50), ThrottledPeriods: known(10),
		ThrottledUsec: known(2500000)}, *c.Throttling)
	assert.Equal(t, limits.Pressures{}, u.Pressure, "no cgroup2 mount")
}

// TestUsageIsReadOnlyWhenAskedFor: Detect reads no usage file; DetectUsage
// does.
func TestUsageIsReadOnlyWhenAskedFor(t *testing.T) {
	root := writeTree(t, podUsageTree(nil))
	var files []string
	stop := limits.TraceReads(func(p []byte) { files = append(files, string(p[:len(p)-1])) })
	_, err := limits.Detect(limits.WithRoot(root))
	stop()
	require.NoError(t, err)
	usageFile := func(f string) bool {
		for _, usage := range []string{"current", "peak", "events", "cpu.stat", "pressure", "memory.stat"} {
			if strings.HasSuffix(f, usage) {
				return true
			}
		}
		return false
	}
	for _, f := range files {
		assert.False(t, usageFile(f), "Detect read %s", f)
	}
	files = nil
	stop = limits.TraceReads(func(p []byte) { files = append(files, string(p[:len(p)-1])) })
	_, _, err = limits.DetectUsage(limits.WithRoot(root))
	stop()
	require.NoError(t, err)
	assert.True(t, slices.ContainsFunc(files, usageFile), "DetectUsage reads usage files: %v", files)
}

// TestUsageOfACgroupNotCreatedYet: ForCgroupUsage of a cgroup that does not
// exist yet gives none of its own values, and the headroom its nearest
// existing ancestor has left for it.
func TestUsageOfACgroupNotCreatedYet(t *testing.T) {
	res, u, err := limits.ForCgroupUsage("/pod.slice/new.scope", limits.FormCgroupfs, limits.WithRoot(writeTree(t, podUsageTree(nil))))
	require.NoError(t, err)
	require.True(t, res.Has(limits.CodeCgroupNotCreated))
	m := u.Memory
	assert.Equal(t, limits.Count{}, m.Current)
	assert.Equal(t, limits.MemoryEvents{}, m.Events)
	assert.Equal(t, limits.Headroom{Known: true, Bytes: 124 * mib, Source: "/pod.slice"}, m.Headroom)
	assert.Equal(t, limits.Count{}, u.CPU.UsageUsec)
	require.NotNil(t, u.CPU.Throttling)
	assert.Equal(t, "/pod.slice", u.CPU.Throttling.Source)
	assert.Equal(t, limits.Count{}, u.Pids)
	assert.Equal(t, limits.Pressures{}, u.Pressure)
	assert.False(t, res.Has(limits.CodeSharedLimit), "its own usage is unknown")
}
