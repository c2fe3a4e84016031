package cgroup

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustMounts(t *testing.T, s string) []Mount {
	t.Helper()
	m, err := AppendMountInfo(nil, []byte(s))
	require.NoError(t, err)
	return m
}

func mustMembers(t *testing.T, s string) []Membership {
	t.Helper()
	m, err := AppendProcCgroup(nil, []byte(s))
	require.NoError(t, err)
	return m
}

func TestLocate(t *testing.T) {
	hostV1 := `31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw`
	dockerV1 := `1203 1195 0:33 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory`
	dind := `100 90 0:30 /../.. /outer rw - cgroup2 cgroup2 rw
101 90 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw`
	nested := `50 40 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw
51 40 0:30 /kubepods.slice /pods rw - cgroup2 cgroup2 rw`

	tests := []struct {
		name       string
		mounts     string
		members    string
		controller string
		version    Version
		path       string
		dir        string
		levels     []string
		err        error
	}{
		{
			name: "v1 memory below the root", mounts: hostV1, controller: "memory",
			members: "4:memory:/process_api/x\n3:cpu,cpuacct:/\n0::/",
			version: 1, path: "/process_api/x", dir: "/sys/fs/cgroup/memory/process_api/x",
			levels: []string{"/process_api/x", "/process_api", "/"},
		},
		{
			name: "co-mounted cpu at the root", mounts: hostV1, controller: "cpu",
			members: "4:memory:/a\n3:cpu,cpuacct:/\n0::/",
			version: 1, path: "/", dir: "/sys/fs/cgroup/cpu,cpuacct", levels: []string{"/"},
		},
		{
			name: "hybrid: a controller not on v1 goes to the unified mount", mounts: hostV1, controller: "pids",
			members: "4:memory:/a\n0::/user.slice",
			version: 2, path: "/user.slice", dir: "/sys/fs/cgroup/unified/user.slice",
			levels: []string{"/user.slice", "/"},
		},
		{
			name: "docker v1 mount rooted at the container", mounts: dockerV1, controller: "memory",
			members: "4:memory:/docker/abc/sub",
			version: 1, path: "/docker/abc/sub", dir: "/sys/fs/cgroup/memory/sub",
			levels: []string{"/docker/abc/sub", "/docker/abc"},
		},
		{
			name: "a mount rooted at /.. is never used", mounts: dind, controller: "memory",
			members: "0::/", version: 2, path: "/", dir: "/sys/fs/cgroup", levels: []string{"/"},
		},
		{
			name: "longest usable root wins", mounts: nested, controller: "memory",
			members: "0::/kubepods.slice/pod.slice", version: 2, path: "/kubepods.slice/pod.slice",
			dir: "/pods/pod.slice", levels: []string{"/kubepods.slice/pod.slice", "/kubepods.slice"},
		},
		{
			name: "root prefix must end at a component", mounts: nested, controller: "memory",
			members: "0::/kubepods.slice2", version: 2, path: "/kubepods.slice2",
			dir: "/sys/fs/cgroup/kubepods.slice2", levels: []string{"/kubepods.slice2", "/"},
		},
		{name: "outside the namespace", mounts: dind, controller: "memory", members: "0::/../..", err: &UnreachableError{}},
		{name: "no mount contains it", mounts: dockerV1, controller: "memory", members: "4:memory:/other", err: &UnreachableError{}},
		{name: "no line for the hierarchy", mounts: hostV1, controller: "memory", members: "0::/", err: &UnreachableError{}},
		{name: "not mounted", mounts: dockerV1, controller: "cpu", members: "4:memory:/docker/abc", err: ErrNotMounted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc, err := Locate(mustMounts(t, tt.mounts), mustMembers(t, tt.members), tt.controller)
			if tt.err != nil {
				var ue *UnreachableError
				if errors.As(tt.err, &ue) {
					require.ErrorAs(t, err, &ue)
					assert.Contains(t, err.Error(), "unreachable")
				} else {
					require.ErrorIs(t, err, tt.err)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.version, loc.Version)
			assert.Equal(t, tt.path, loc.Path)
			assert.Equal(t, tt.dir, loc.Dir())
			var levels []string
			for l, ok := loc, true; ok; l, ok = l.Parent() {
				levels = append(levels, l.Path)
			}
			assert.Equal(t, tt.levels, levels)
		})
	}
}

func TestLocatePathRejectsUnclean(t *testing.T) {
	mounts := mustMounts(t, "1 0 0:1 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw")
	for _, p := range []string{"", "relative", "/a/../b", "/a/./b", "/a//b", "/a/", "/..", "/../x", "/a\x00b"} {
		t.Run(p, func(t *testing.T) {
			_, err := LocatePath(mounts, "memory", p)
			var ue *UnreachableError
			assert.ErrorAs(t, err, &ue)
		})
	}
	loc, err := LocatePath(mounts, "memory", "/..a")
	require.NoError(t, err, "a directory named '..a' is inside the namespace")
	assert.Equal(t, "/sys/fs/cgroup/..a", loc.Dir())
}
