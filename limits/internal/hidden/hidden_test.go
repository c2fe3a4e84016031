package hidden

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/limits/internal/effective"
	"github.com/truelimit/truelimit/limits/internal/own"
)

func TestTopOf(t *testing.T) {
	const ctr = "/machine.slice/pod.slice/ctr.scope"
	mountinfo := func(lines ...string) []cgroup.Mount {
		var b []byte
		for _, l := range lines {
			b = append(b, l+"\n"...)
		}
		m, err := cgroup.AppendMountInfo(nil, b)
		assert.NoError(t, err)
		return m
	}
	members, err := cgroup.AppendProcCgroup(nil, []byte("0::"+ctr+"\n"))
	assert.NoError(t, err)
	v1members, err := cgroup.AppendProcCgroup(nil, []byte("4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n"))
	assert.NoError(t, err)
	for _, tt := range []struct {
		name       string
		mounts     []cgroup.Mount
		members    []cgroup.Membership
		controller string
		top        Top
		ok         bool
	}{
		{"private namespace seen from the host", mountinfo("202 195 0:26 " + ctr + " /sys/fs/cgroup ro - cgroup2 cgroup2 rw"), members, "memory",
			Top{Path: ctr, Mounted: true}, true},
		{"the host's namespace", mountinfo("30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw"), members, "cpu",
			Top{Path: "/", Mounted: true}, true},
		{"no cgroup mount", mountinfo("1 0 0:5 / /proc rw - proc proc rw"), members, "pids", Top{}, true},
		{"its cgroup outside its mount", mountinfo("202 195 0:26 /other /sys/fs/cgroup ro - cgroup2 cgroup2 rw"), members, "memory", Top{}, false},
		{"v1 bind mount of the container's cgroup", mountinfo(
			"40 30 0:31 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory",
			"41 30 0:32 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro - cgroup cgroup rw,cpu,cpuacct"), v1members, "cpu",
			Top{Path: "/docker/abc", Mounted: true}, true},
		{"v1 without a line for the hierarchy", mountinfo("42 30 0:33 / /sys/fs/cgroup/pids ro - cgroup cgroup rw,pids"), v1members, "pids", Top{}, false},
	} {
		top, ok := TopOf(tt.mounts, tt.members, tt.controller)
		assert.Equal(t, tt.ok, ok, tt.name)
		assert.Equal(t, tt.top, top, tt.name)
	}
}

func TestTopSees(t *testing.T) {
	top := Top{Path: "/a/b", Mounted: true}
	for source, want := range map[string]bool{"/a/b": true, "/a/b/c": true, "/a": false, "/": false, "/a/bc": false} {
		assert.Equal(t, want, top.Sees(source), source)
	}
	assert.True(t, Top{Path: "/", Mounted: true}.Sees("/x"))
	assert.False(t, Top{}.Sees("/"), "no mount: nothing is seen")
}

func TestMessage(t *testing.T) {
	got := Message([]Clause{
		{What: "memory limit", Controller: "memory", Top: Top{Path: "/p/c", Mounted: true},
			Sees:    Bytes(effective.Bytes{State: effective.Unlimited}, "bytes"),
			Applies: Bytes(effective.Bytes{State: effective.Limited, Value: 268435456, Source: "/p"}, "bytes")},
		{What: "CPU limit", Controller: "cpu", Applies: CPUs(effective.Quota{State: effective.Limited, Quota: 50000, Period: 100000, Source: "/p"})},
		{What: "pids limit", Controller: "pids", Top: Top{Path: "/p/c", Mounted: true},
			Sees: Bytes(effective.Bytes{}, ""), Applies: Bytes(effective.Bytes{State: effective.Limited, Value: 100, Source: "/p"}, "")},
	})
	assert.Equal(t, "limits are set above the cgroups the process can see: "+
		"memory limit: below the top of its memory hierarchy, /p/c, it sees unlimited, but 268435456 bytes from /p applies; "+
		"CPU limit: it has no mount of the cpu hierarchy, so it sees no cgroup limit, but 0.5 CPUs from /p applies; "+
		"pids limit: below the top of its pids hierarchy, /p/c, it sees unknown, but 100 from /p applies", got)
	assert.Equal(t, "unlimited", CPUs(effective.Quota{State: effective.Unlimited}))
}

func TestRootLacks(t *testing.T) {
	set := func(v uint64) own.Number { return own.Number{Status: own.Set, Value: v} }
	for _, tt := range []struct {
		name string
		v    own.Values
		want Lacks
	}{
		{"v2 root: no limit files", own.Values{Version: 2, MemoryLimit: own.Number{Status: own.Absent}}, 0},
		{"v2 namespace root with max everywhere", own.Values{Version: 2, MemoryLimit: own.Number{Status: own.Unlimited},
			CPUQuota: own.Quota{Status: own.Unlimited}, Pids: own.Number{Status: own.Unlimited}}, TopMemoryLimit | TopCPUQuota | TopPids},
		{"v2 garbage in memory.max still exists", own.Values{Version: 2, MemoryLimit: own.Number{Status: own.BadValue}}, TopMemoryLimit},
		{"v1 root: unlimited memory, quota -1", own.Values{Version: 1, MemoryLimit: own.Number{Status: own.Unlimited},
			CPUQuota: own.Quota{Status: own.Unlimited}}, 0},
		{"v1 limits the root cannot have", own.Values{Version: 1, MemoryLimit: set(1 << 30),
			CPUQuota: own.Quota{Status: own.Set}, Pids: set(64)}, TopMemoryLimit | TopCPUQuota | TopPids},
	} {
		assert.Equal(t, tt.want, RootLacks(&tt.v), tt.name)
	}
}
