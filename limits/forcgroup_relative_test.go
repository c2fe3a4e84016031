package limits_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/treetest"
	"github.com/truelimit/truelimit/limits"
)

// The mounts of the host kinds a relative cgroupfs path is tried on.
const (
	pureV2Mountinfo = "32 22 0:27 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n"
	// memory on the unified hierarchy (cgroup_no_v1=memory), cpu on v1.
	hybridMountinfo = "25 22 0:23 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n" +
		"26 25 0:24 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate\n" +
		"30 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,cpu,cpuacct\n"
	v1Mountinfo = "25 22 0:23 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n" +
		"30 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,cpu,cpuacct\n" +
		"31 25 0:29 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,memory\n"

	// The caller of runc's TestDefaultDirPath example.
	sessionScope = "/user.slice/user-1000.slice/session-1.scope"
	userSlice    = "/user.slice/user-1000.slice"
)

// relativeCgroup writes the files of a cgroup at dir (relative to the root)
// with a memory limit (v2 memory.max or v1 memory.limit_in_bytes) or a CPU
// quota per 100000 us, into files.
func relativeCgroup(files map[string]string, dir string, v2 bool, memory, quota string) {
	if v2 {
		files[dir+"/cgroup.controllers"] = "cpu memory pids\n"
		if memory != "" {
			files[dir+"/memory.max"] = memory + "\n"
		}
		if quota != "" {
			files[dir+"/cpu.max"] = quota + " 100000\n"
		}
		return
	}
	if memory != "" {
		files[dir+"/memory.limit_in_bytes"] = memory + "\n"
		files[dir+"/memory.use_hierarchy"] = "1\n"
	}
	if quota != "" {
		files[dir+"/cpu.cfs_quota_us"] = quota + "\n"
		files[dir+"/cpu.cfs_period_us"] = "100000\n"
	}
}

// TestForCgroupRelativePerHost is runc's rule for a relative cgroupfs path:
// on a pure v2 host it joins the parent of the caller's cgroup
// (opencontainers/cgroups fs2/defaultpath.go; its TestDefaultDirPath expects
// <mount>/user.slice/user-1000.slice/foo/bar for a caller in
// /user.slice/user-1000.slice/session-1.scope), on v1 and hybrid hosts the
// caller's own cgroup in every v1 hierarchy and the root of a hybrid host's
// unified hierarchy (runc's fs manager). Each tree has a cgroup at the
// places a wrong join would land with different limits, so a wrong join
// shows in the values as well as in the placement.
func TestForCgroupRelativePerHost(t *testing.T) {
	const (
		atParent = "1073741824" // 1 GiB, and 0.25 CPU below
		atOwn    = "2147483648" // 2 GiB, and 0.5 CPU below
	)
	type want struct {
		memPath, cpuPath string
		memVersion       cgroup.Version
		memory, cpus     string // the limits found: atParent or atOwn
		codes            []limits.Code
	}
	limitsOf := map[string]struct {
		bytes uint64
		quota uint64
	}{atParent: {1 << 30, 25000}, atOwn: {2 << 30, 50000}}

	v2Tree := func(own string) string {
		files := map[string]string{
			"proc/self/mountinfo": pureV2Mountinfo,
			"proc/self/cgroup":    "0::" + own + "\n",
		}
		relativeCgroup(files, "sys/fs/cgroup"+joinPath(parentPath(own), "/foo/bar"), true, atParent, "25000")
		if own != "/" {
			relativeCgroup(files, "sys/fs/cgroup"+joinPath(own, "/foo/bar"), true, atOwn, "50000")
		}
		return treetest.Write(t, files)
	}
	hybridTree := func() string {
		files := map[string]string{
			"proc/self/mountinfo": hybridMountinfo,
			"proc/self/cgroup":    "4:cpu,cpuacct:" + sessionScope + "\n0::" + sessionScope + "\n",
		}
		relativeCgroup(files, "sys/fs/cgroup/unified/foo/bar", true, atParent, "")
		relativeCgroup(files, "sys/fs/cgroup/unified"+sessionScope+"/foo/bar", true, atOwn, "")
		relativeCgroup(files, "sys/fs/cgroup/cpu,cpuacct"+userSlice+"/foo/bar", false, "", "25000")
		relativeCgroup(files, "sys/fs/cgroup/cpu,cpuacct"+sessionScope+"/foo/bar", false, "", "50000")
		return treetest.Write(t, files)
	}
	v1Tree := func() string {
		files := map[string]string{
			"proc/self/mountinfo": v1Mountinfo,
			// memory and cpu at different places, as on this project's host.
			"proc/self/cgroup": "5:memory:" + sessionScope + "\n4:cpu,cpuacct:/\n",
		}
		// Every v1 memory cgroup has memory.limit_in_bytes: unlimited above.
		for _, dir := range []string{"", "/user.slice", userSlice, userSlice + "/foo", sessionScope, sessionScope + "/foo"} {
			relativeCgroup(files, "sys/fs/cgroup/memory"+dir, false, "9223372036854771712", "")
		}
		relativeCgroup(files, "sys/fs/cgroup/memory"+userSlice+"/foo/bar", false, atParent, "")
		relativeCgroup(files, "sys/fs/cgroup/memory"+sessionScope+"/foo/bar", false, atOwn, "")
		relativeCgroup(files, "sys/fs/cgroup/cpu,cpuacct/foo/bar", false, "", "50000")
		return treetest.Write(t, files)
	}

	cases := []struct {
		name string
		tree string
		path string
		form limits.PathForm
		want want
	}{
		{name: "v2: the parent of the caller's cgroup", tree: v2Tree(sessionScope), path: "foo/bar", form: limits.FormCgroupfs,
			want: want{memPath: userSlice + "/foo/bar", cpuPath: userSlice + "/foo/bar", memVersion: 2, memory: atParent, cpus: atParent}},
		{name: "v2: FormAuto reads it the same", tree: v2Tree(sessionScope), path: "foo/bar/",
			want: want{memPath: userSlice + "/foo/bar", cpuPath: userSlice + "/foo/bar", memVersion: 2, memory: atParent, cpus: atParent}},
		{name: "v2: not created below the parent", tree: v2Tree(sessionScope), path: "foo/bar/baz", form: limits.FormCgroupfs,
			want: want{memPath: userSlice + "/foo/bar", cpuPath: userSlice + "/foo/bar", memVersion: 2, memory: atParent, cpus: atParent,
				codes: []limits.Code{limits.CodeCgroupNotCreated}}},
		{name: "v2: caller one level down", tree: v2Tree("/a"), path: "foo/bar", form: limits.FormCgroupfs,
			want: want{memPath: "/foo/bar", cpuPath: "/foo/bar", memVersion: 2, memory: atParent, cpus: atParent}},
		{name: "v2: caller at the root", tree: v2Tree("/"), path: "foo/bar", form: limits.FormCgroupfs,
			want: want{memPath: "/foo/bar", cpuPath: "/foo/bar", memVersion: 2, memory: atParent, cpus: atParent}},
		{name: "v2: an absolute path is from the root", tree: v2Tree(sessionScope), path: userSlice + "/foo/bar", form: limits.FormCgroupfs,
			want: want{memPath: userSlice + "/foo/bar", cpuPath: userSlice + "/foo/bar", memVersion: 2, memory: atParent, cpus: atParent}},
		{name: "hybrid: the caller's own v1 cgroup, the unified root", tree: hybridTree(), path: "foo/bar", form: limits.FormCgroupfs,
			want: want{memPath: "/foo/bar", cpuPath: sessionScope + "/foo/bar", memVersion: 2, memory: atParent, cpus: atOwn}},
		{name: "v1: the caller's own cgroup in each hierarchy", tree: v1Tree(), path: "foo/bar", form: limits.FormCgroupfs,
			want: want{memPath: sessionScope + "/foo/bar", cpuPath: "/foo/bar", memVersion: 1, memory: atOwn, cpus: atOwn}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := limits.ForCgroup(tc.path, tc.form, limits.WithRoot(tc.tree))
			require.NoError(t, err)
			mem, ok := res.Placement("memory")
			require.True(t, ok, "%+v", res.Diagnostics)
			assert.Equal(t, tc.want.memPath, mem.Path)
			assert.Equal(t, tc.want.memVersion, mem.Version)
			cpu, ok := res.Placement("cpu")
			require.True(t, ok, "%+v", res.Diagnostics)
			assert.Equal(t, tc.want.cpuPath, cpu.Path)
			assert.Equal(t, limits.Limit{State: limits.Limited, Value: limitsOf[tc.want.memory].bytes, Source: tc.want.memPath}, res.Memory.Limit)
			assert.Equal(t, limits.CPULimit{State: limits.Limited, Quota: limitsOf[tc.want.cpus].quota, Period: 100000, Source: tc.want.cpuPath}, res.CPU.Limit)
			codes := tc.want.codes
			if codes == nil {
				codes = []limits.Code{}
			}
			assert.Equal(t, codes, diagnosticCodes(res), "%+v", res.Diagnostics)
		})
	}
}

// TestForCgroupRelativeV2MountShowsCaller: on a pure v2 host whose cgroup2
// mount shows the caller's own cgroup as its root (a container without a
// cgroup namespace), the parent of the caller's cgroup is not visible: the
// relative path is unreachable, not read from another cgroup.
func TestForCgroupRelativeV2MountShowsCaller(t *testing.T) {
	root := treetest.Write(t, map[string]string{
		"proc/self/mountinfo": "32 22 0:27 /docker/abc /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw\n",
		"proc/self/cgroup":    "0::/docker/abc\n",
		// cgroup /docker/abc/foo/bar, not the one asked for.
		"sys/fs/cgroup/foo/bar/cgroup.controllers": "cpu memory pids\n",
		"sys/fs/cgroup/foo/bar/memory.max":         "4096\n",
	})
	res, err := limits.ForCgroup("foo/bar", limits.FormCgroupfs, limits.WithRoot(root))
	require.NoError(t, err)
	_, ok := res.Placement("memory")
	assert.False(t, ok)
	assert.Equal(t, limits.Unknown, res.Memory.Limit.State)
	assert.Equal(t, []limits.Code{limits.CodeCgroupUnreachable}, diagnosticCodes(res), "%+v", res.Diagnostics)
	assert.Contains(t, messageOf(res, limits.CodeCgroupUnreachable), "/docker/foo/bar")
}

// parentPath and joinPath are path.Dir and joinCgroupPath for the trees.
func parentPath(p string) string {
	for i := len(p) - 1; i > 0; i-- {
		if p[i] == '/' {
			return p[:i]
		}
	}
	return "/"
}

func joinPath(base, rel string) string {
	if base == "/" {
		return rel
	}
	return base + rel
}
