package cgroup

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendMountInfoLine(t *testing.T) {
	tests := []struct {
		name string
		line string
		want Mount
		ok   bool
		err  bool
	}{
		{
			name: "v1 memory on this host",
			line: "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
			want: Mount{Root: "/", MountPoint: "/sys/fs/cgroup/memory", FSType: "cgroup", SuperOptions: "rw,memory"},
			ok:   true,
		},
		{
			name: "v2 with optional fields",
			line: "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot",
			want: Mount{Root: "/", MountPoint: "/sys/fs/cgroup", FSType: "cgroup2", SuperOptions: "rw,nsdelegate,memory_recursiveprot"},
			ok:   true,
		},
		{
			name: "docker v1 container root",
			line: "1203 1195 0:33 /docker/4a1b /sys/fs/cgroup/cpu,cpuacct ro,nosuid,nodev,noexec,relatime master:14 master:15 - cgroup cgroup rw,cpu,cpuacct",
			want: Mount{Root: "/docker/4a1b", MountPoint: "/sys/fs/cgroup/cpu,cpuacct", FSType: "cgroup", SuperOptions: "rw,cpu,cpuacct"},
			ok:   true,
		},
		{
			name: "octal escapes in root and mount point",
			line: `40 30 0:37 /a\040b /mnt/with\040space\011tab\134 rw - cgroup2 cgroup2 rw`,
			want: Mount{Root: "/a b", MountPoint: "/mnt/with space\ttab\\", FSType: "cgroup2", SuperOptions: "rw"},
			ok:   true,
		},
		{
			name: "other filesystem skipped",
			line: "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard",
			ok:   false,
		},
		{name: "no separator", line: "26 1 254:0 / / rw,relatime ext4 /dev/vda rw", err: true},
		{name: "too few fields", line: "26 1 254:0 / - cgroup cgroup rw", err: true},
		{name: "no super options", line: "26 1 0:1 / /x rw - cgroup cgroup", err: true},
		{name: "relative root", line: "26 1 0:1 x /x rw - cgroup cgroup rw,cpu", err: true},
		{name: "bad escape", line: `26 1 0:1 /a\09 /x rw - cgroup cgroup rw,cpu`, err: true},
		{name: "truncated escape", line: `26 1 0:1 /a\04 /x rw - cgroup cgroup rw,cpu`, err: true},
		{name: "escape above a byte", line: `26 1 0:1 /a\777 /x rw - cgroup cgroup rw,cpu`, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mounts, err := AppendMountInfo(nil, []byte(tt.line))
			if tt.err {
				var pe *ParseError
				require.ErrorAs(t, err, &pe)
				assert.True(t, errors.Is(err, ErrSyntax))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.ok, len(mounts) == 1)
			got := Mount{}
			if len(mounts) == 1 {
				got = mounts[0]
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestMountControllers(t *testing.T) {
	tests := []struct {
		opts  string
		fs    string
		ctrls []string
		name  string
	}{
		{"rw,memory", fsTypeV1, []string{"memory"}, ""},
		{"rw,cpu,cpuacct", fsTypeV1, []string{"cpu", "cpuacct"}, ""},
		{"rw,xattr,name=systemd", fsTypeV1, nil, "systemd"},
		{"rw,cpu,cpuacct,cpuset,memory", fsTypeV1, []string{"cpu", "cpuacct", "cpuset", "memory"}, ""},
		{"rw,noprefix,release_agent=/x,cpuset", fsTypeV1, []string{"cpuset"}, ""},
		{"rw,nsdelegate,memory_recursiveprot", fsTypeV2, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.opts, func(t *testing.T) {
			m := Mount{Root: "/", MountPoint: "/x", FSType: tt.fs, SuperOptions: tt.opts}
			assert.Equal(t, tt.ctrls, m.Controllers())
			assert.Equal(t, tt.name, m.Name())
			for _, c := range tt.ctrls {
				assert.True(t, m.HasController(c), c)
			}
			assert.False(t, m.HasController("name=systemd"))
			assert.False(t, m.HasController("rw"))
		})
	}
}

func TestAppendMountInfo(t *testing.T) {
	data := []byte(`21 26 0:20 / /proc rw,relatime - proc proc rw
30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu

34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw`)
	mounts, err := AppendMountInfo(nil, data)
	require.NoError(t, err)
	require.Len(t, mounts, 4)
	assert.Equal(t, "/sys/fs/cgroup/cpu", mounts[0].MountPoint)
	assert.Equal(t, "/sys/fs/cgroup/unified", mounts[3].MountPoint)
	assert.Equal(t, ModeHybrid, ModeOf(mounts))

	_, err = AppendMountInfo(nil, []byte("garbage\n"))
	assert.ErrorIs(t, err, ErrSyntax)
}

// TestAppendReusesDst checks the hot path of a caller that parses again and
// again: with the previous result as dst, only the strings are allocated.
func TestAppendReusesDst(t *testing.T) {
	mountinfo := []byte("31 30 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n" +
		"26 1 254:0 / / rw - ext4 /dev/vda rw\n" +
		"34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n")
	procCgroup := []byte("4:memory:/a\n3:cpu:/b\n0::/c\n")
	mounts, err := AppendMountInfo(nil, mountinfo)
	require.NoError(t, err)
	members, err := AppendProcCgroup(nil, procCgroup)
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(100, func() {
		mounts, _ = AppendMountInfo(mounts[:0], mountinfo)
		members, _ = AppendProcCgroup(members[:0], procCgroup)
	})
	assert.Equal(t, 2.0, allocs, "one string for each file")
	assert.Len(t, mounts, 2)
	assert.Len(t, members, 3)
}
