package oracle

import (
	"os"
	"testing"

	cgroups "github.com/containerd/cgroups/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/cgroup"
)

// The two paths containerd's Mode statfs()es.
const (
	sysFsCgroup        = "/sys/fs/cgroup"
	sysFsCgroupUnified = "/sys/fs/cgroup/unified"
)

// modeFromContainerd maps containerd's modes onto ours.
func modeFromContainerd(m cgroups.CGMode) cgroup.Mode {
	switch m {
	case cgroups.Legacy:
		return cgroup.ModeV1
	case cgroups.Hybrid:
		return cgroup.ModeHybrid
	case cgroups.Unified:
		return cgroup.ModeV2
	}
	return cgroup.ModeNone
}

// containerdModeModel predicts cgroups.Mode() from the cgroup mounts the
// process sees. Mode statfs()es /sys/fs/cgroup: failure is Unavailable,
// cgroup2 there is Unified; otherwise it is Hybrid when /sys/fs/cgroup/unified
// is cgroup2, else Legacy — whatever else is or is not mounted. The model
// assumes no other filesystem is mounted over a cgroup mount point.
func containerdModeModel(mounts []cgroup.Mount, sysFsCgroupExists bool) cgroups.CGMode {
	switch {
	case !sysFsCgroupExists:
		return cgroups.Unavailable
	case cgroup2At(mounts, sysFsCgroup):
		return cgroups.Unified
	case cgroup2At(mounts, sysFsCgroupUnified):
		return cgroups.Hybrid
	}
	return cgroups.Legacy
}

// cgroup2At reports whether the last cgroup mount at point is cgroup2.
func cgroup2At(mounts []cgroup.Mount, point string) bool {
	v2 := false
	for _, m := range mounts {
		if m.MountPoint == point {
			v2 = m.IsV2()
		}
	}
	return v2
}

// modeDivergence names the host shapes on which our ModeOf and containerd's
// Mode legitimately disagree, or returns "" when they must agree. Ours
// decides from every cgroup mount in mountinfo (a v1 hierarchy counts only
// when it binds a controller); containerd looks at two fixed paths only.
// Which is right depends on the question: ours answers "which hierarchies
// can hold this process's limits", which is what truelimit reports.
func modeDivergence(mounts []cgroup.Mount, sysFsCgroupExists bool) string {
	var v1Controllers, v2Anywhere bool
	for _, m := range mounts {
		v2Anywhere = v2Anywhere || m.IsV2()
		v1Controllers = v1Controllers || len(m.Controllers()) > 0
	}
	v2AtRoot := cgroup2At(mounts, sysFsCgroup)
	switch {
	case !sysFsCgroupExists && (v1Controllers || v2Anywhere):
		return "/sys/fs/cgroup is missing but cgroup filesystems are mounted elsewhere: containerd says unavailable"
	case sysFsCgroupExists && v2AtRoot && v1Controllers:
		return "/sys/fs/cgroup is cgroup2 and a v1 controller hierarchy is mounted elsewhere: containerd says unified, we say hybrid"
	case sysFsCgroupExists && !v2AtRoot && !v1Controllers:
		return "/sys/fs/cgroup is not cgroup2 and no v1 hierarchy binds a controller (e.g. cgroup_no_v1=all, or only name=systemd): containerd says legacy or hybrid, we say none or v2"
	case sysFsCgroupExists && !v2AtRoot && !cgroup2At(mounts, sysFsCgroupUnified) && v2Anywhere:
		return "cgroup2 is mounted, but neither at /sys/fs/cgroup nor at /sys/fs/cgroup/unified: containerd does not see it"
	}
	return ""
}

// TestModeDivergenceShapes checks modeDivergence against the model on
// mountinfo samples: it must name a shape exactly when the modes differ.
func TestModeDivergenceShapes(t *testing.T) {
	tests := []struct {
		name         string
		text         string
		noSysFs      bool // /sys/fs/cgroup does not exist
		wantOurs     cgroup.Mode
		wantTheirs   cgroups.CGMode
		wantDiverges bool
	}{
		{name: "this host", text: hostMountinfo, wantOurs: cgroup.ModeHybrid, wantTheirs: cgroups.Hybrid},
		{name: "systemd v2 host", text: systemdV2Mountinfo, wantOurs: cgroup.ModeV2, wantTheirs: cgroups.Unified},
		{name: "docker v1 container", text: dockerV1Mountinfo, wantOurs: cgroup.ModeV1, wantTheirs: cgroups.Legacy},
		{name: "docker-in-docker v2", text: nestedNamespaceMountinfo, wantOurs: cgroup.ModeV2, wantTheirs: cgroups.Unified},
		{name: "nothing, no /sys/fs/cgroup", text: noCgroupMountinfo, noSysFs: true, wantOurs: cgroup.ModeNone, wantTheirs: cgroups.Unavailable},
		{
			name:         "nothing mounted on an existing /sys/fs/cgroup",
			text:         noCgroupMountinfo,
			wantOurs:     cgroup.ModeNone,
			wantTheirs:   cgroups.Legacy,
			wantDiverges: true,
		},
		{
			name: "systemd hybrid booted with cgroup_no_v1=all",
			text: `30 22 0:26 / /sys/fs/cgroup ro - tmpfs tmpfs ro,mode=755
31 30 0:27 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate
32 30 0:28 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd
`,
			wantOurs:     cgroup.ModeV2,
			wantTheirs:   cgroups.Hybrid,
			wantDiverges: true,
		},
		{
			name: "v2 host with net_cls mounted as v1 for a VPN",
			text: `26 22 0:24 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate
90 26 0:60 / /run/net_cls rw - cgroup cgroup rw,net_cls
`,
			wantOurs:     cgroup.ModeHybrid,
			wantTheirs:   cgroups.Unified,
			wantDiverges: true,
		},
		{
			name: "v1 host with cgroup2 mounted at /run/cgroup2",
			text: `30 22 0:26 / /sys/fs/cgroup ro - tmpfs tmpfs ro,mode=755
31 30 0:27 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
40 26 0:37 / /run/cgroup2 rw - cgroup2 cgroup2 rw
`,
			wantOurs:     cgroup.ModeHybrid,
			wantTheirs:   cgroups.Legacy,
			wantDiverges: true,
		},
		{
			name:         "v1 hierarchy mounted without /sys/fs/cgroup",
			text:         "31 26 0:27 / /cgroup/memory rw - cgroup cgroup rw,memory\n",
			noSysFs:      true,
			wantOurs:     cgroup.ModeV1,
			wantTheirs:   cgroups.Unavailable,
			wantDiverges: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mounts, err := cgroup.AppendMountInfo(nil, []byte(tt.text))
			require.NoError(t, err)
			ours := cgroup.ModeOf(mounts)
			theirs := containerdModeModel(mounts, !tt.noSysFs)
			assert.Equal(t, tt.wantOurs, ours)
			assert.Equal(t, tt.wantTheirs, theirs)
			assert.Equal(t, tt.wantDiverges, ours != modeFromContainerd(theirs), "modes differ")
			assert.Equal(t, tt.wantDiverges, modeDivergence(mounts, !tt.noSysFs) != "", "modeDivergence")
		})
	}
}

// TestLiveModeAgreesWithContainerd compares ModeOf on this process's
// mountinfo with containerd's Mode. First the model of Mode must predict
// what containerd's statfs calls found, which checks our mountinfo parse
// against the kernel's own view of /sys/fs/cgroup and /sys/fs/cgroup/unified.
// Then the modes must be equal, unless the host has one of the shapes
// modeDivergence documents (this development host, hybrid with cgroup2 at
// /sys/fs/cgroup/unified, has none: both say hybrid).
func TestLiveModeAgreesWithContainerd(t *testing.T) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	require.NoError(t, err)
	mounts, err := cgroup.AppendMountInfo(nil, b)
	require.NoError(t, err)
	_, statErr := os.Stat(sysFsCgroup)
	exists := statErr == nil

	theirs := cgroups.Mode()
	require.Equal(t, containerdModeModel(mounts, exists), theirs,
		"containerd's statfs of /sys/fs/cgroup disagrees with the cgroup mounts we parsed: %+v", mounts)

	ours := cgroup.ModeOf(mounts)
	if reason := modeDivergence(mounts, exists); reason != "" {
		t.Logf("documented divergence: %s", reason)
		assert.NotEqual(t, modeFromContainerd(theirs), ours)
		return
	}
	assert.Equal(t, modeFromContainerd(theirs), ours, "ours %v, containerd %v", ours, theirs)
}
