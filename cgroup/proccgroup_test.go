package cgroup

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendProcCgroupLine(t *testing.T) {
	tests := []struct {
		line string
		want Membership
		err  bool
	}{
		{"4:memory:/process_api/ac04", Membership{4, "memory", "/process_api/ac04"}, false},
		{"9:name=systemd:/", Membership{9, "name=systemd", "/"}, false},
		{"3:cpu,cpuacct:/kubepods/burstable/pod1/abc", Membership{3, "cpu,cpuacct", "/kubepods/burstable/pod1/abc"}, false},
		{"0::/user.slice/user-1000.slice/session-2.scope", Membership{0, "", "/user.slice/user-1000.slice/session-2.scope"}, false},
		{"0::/../..", Membership{0, "", "/../.."}, false},
		{"0::/system.slice/kubepods-burstable-pod1.slice:cri-containerd:abc", Membership{0, "", "/system.slice/kubepods-burstable-pod1.slice:cri-containerd:abc"}, false},
		{"4:memory", Membership{}, true},
		{"x:memory:/", Membership{}, true},
		{"4:memory:relative", Membership{}, true},
		{"4::/", Membership{}, true},
		{"0:memory:/", Membership{}, true},
		{"12345678901:memory:/", Membership{}, true},
		{"-1:memory:/", Membership{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got, err := AppendProcCgroup(nil, []byte(tt.line))
			if tt.err {
				assert.ErrorIs(t, err, ErrSyntax)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []Membership{tt.want}, got)
		})
	}
}

func TestAppendProcCgroup(t *testing.T) {
	got, err := AppendProcCgroup(nil, []byte("9:name=systemd:/\n4:memory:/process_api/x\n\n1:cpu:/\n0::/\n"))
	require.NoError(t, err)
	require.Len(t, got, 4)
	assert.True(t, got[1].HasController("memory"))
	assert.False(t, got[0].HasController("systemd"))
	assert.True(t, got[3].IsV2())
	assert.False(t, got[3].HasController("memory"))

	_, err = AppendProcCgroup(nil, []byte("4:memory:/x\nbroken\n"))
	assert.ErrorIs(t, err, ErrSyntax)
}

func TestModeOf(t *testing.T) {
	v1mem := Mount{Root: "/", MountPoint: "/sys/fs/cgroup/memory", FSType: fsTypeV1, SuperOptions: "rw,memory"}
	named := Mount{Root: "/", MountPoint: "/sys/fs/cgroup/systemd", FSType: fsTypeV1, SuperOptions: "rw,name=systemd"}
	unified := Mount{Root: "/", MountPoint: "/sys/fs/cgroup", FSType: fsTypeV2, SuperOptions: "rw"}
	tests := []struct {
		name   string
		mounts []Mount
		want   Mode
	}{
		{"nothing", nil, ModeNone},
		{"named only", []Mount{named}, ModeNone},
		{"v1", []Mount{v1mem, named}, ModeV1},
		{"v2", []Mount{unified}, ModeV2},
		{"v2 with a named v1 hierarchy", []Mount{unified, named}, ModeV2},
		{"hybrid", []Mount{v1mem, named, unified}, ModeHybrid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ModeOf(tt.mounts))
		})
	}
	assert.Equal(t, "hybrid", ModeHybrid.String())
	assert.Equal(t, "none", ModeNone.String())
}
