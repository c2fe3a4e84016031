package oracle

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cgroups "github.com/containerd/cgroups/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/cgroup"
)

// hostProcCgroup is /proc/self/cgroup of a process on the development
// machine (hybrid, every v1 controller on its own hierarchy), copied verbatim.
const hostProcCgroup = `9:name=systemd:/
8:pids:/
7:blkio:/
6:freezer:/
5:devices:/
4:memory:/process_api/a4e70f2d38cdfabf468173fed9f93af9
3:cpuset:/
2:cpuacct:/
1:cpu:/
0::/
`

// membershipMaps builds from our parse what containerd's
// ParseCgroupFromReaderUnified returns: v1 paths keyed by each controller
// of a line, co-mounted ones ("cpu,cpuacct") under each name and named
// hierarchies under "name=<name>", plus the unified line's path apart.
func membershipMaps(ms []cgroup.Membership) (legacy map[string]string, unified string) {
	legacy = map[string]string{}
	for _, m := range ms {
		if m.IsV2() {
			unified = m.Path
			continue
		}
		for _, c := range strings.Split(m.Controllers, ",") {
			legacy[c] = m.Path
		}
	}
	return legacy, unified
}

// requireSameMemberships asserts that AppendProcCgroup and containerd agree
// on b and returns the agreed maps.
func requireSameMemberships(t *testing.T, b []byte) (legacy map[string]string, unified string) {
	t.Helper()
	ms, err := cgroup.AppendProcCgroup(nil, b)
	require.NoError(t, err)
	theirLegacy, theirUnified, err := cgroups.ParseCgroupFromReaderUnified(bytes.NewReader(b))
	require.NoError(t, err)
	legacy, unified = membershipMaps(ms)
	require.Equal(t, theirLegacy, legacy, "v1 paths by controller")
	require.Equal(t, theirUnified, unified, "unified path")
	return legacy, unified
}

func TestProcCgroupAgreesWithContainerdOnFixtureTrees(t *testing.T) {
	for _, file := range fixtureTreeFiles(t, filepath.Join("proc", "*", "cgroup")) {
		t.Run(treeName(t, file), func(t *testing.T) {
			b, err := os.ReadFile(file)
			require.NoError(t, err)
			requireSameMemberships(t, b)
		})
	}
}

func TestProcCgroupAgreesWithContainerdOnLiveHost(t *testing.T) {
	b, err := os.ReadFile("/proc/self/cgroup")
	require.NoError(t, err)
	requireSameMemberships(t, b)
}

// TestProcCgroupAgreesWithContainerdOnSamples also pins the expected maps,
// so that the two parsers cannot agree on a wrong answer. Paths containing
// ':' are no design difference: containerd v3 splits each line with
// strings.SplitN(line, ":", 3), keeping everything after the second colon
// as the path, which is what the kernel prints (cgroup_path_ns in
// kernel/cgroup/cgroup.c writes the path verbatim) and what AppendProcCgroup
// does.
func TestProcCgroupAgreesWithContainerdOnSamples(t *testing.T) {
	const pod = "/system.slice/kubepods-burstable-pod1.slice:cri-containerd:abc"
	tests := []struct {
		name        string
		text        string
		wantLegacy  map[string]string
		wantUnified string
	}{
		{
			name: "this host, hybrid",
			text: hostProcCgroup,
			wantLegacy: map[string]string{
				"name=systemd": "/", "pids": "/", "blkio": "/", "freezer": "/", "devices": "/",
				"memory": "/process_api/a4e70f2d38cdfabf468173fed9f93af9", "cpuset": "/", "cpuacct": "/", "cpu": "/",
			},
			wantUnified: "/",
		},
		{
			name: "docker v1 with name=systemd and co-mounted controllers",
			text: `12:perf_event:/docker/4a1b
11:hugetlb:/docker/4a1b
10:cpu,cpuacct:/docker/4a1b
9:net_cls,net_prio:/docker/4a1b
8:memory:/docker/4a1b
7:pids:/docker/4a1b
6:cpuset:/docker/4a1b
5:blkio:/docker/4a1b
4:devices:/docker/4a1b
3:freezer:/docker/4a1b
2:rdma:/
1:name=systemd:/docker/4a1b
0::/system.slice/containerd.service
`,
			wantLegacy: map[string]string{
				"perf_event": "/docker/4a1b", "hugetlb": "/docker/4a1b", "cpu": "/docker/4a1b", "cpuacct": "/docker/4a1b",
				"net_cls": "/docker/4a1b", "net_prio": "/docker/4a1b", "memory": "/docker/4a1b", "pids": "/docker/4a1b",
				"cpuset": "/docker/4a1b", "blkio": "/docker/4a1b", "devices": "/docker/4a1b", "freezer": "/docker/4a1b",
				"rdma": "/", "name=systemd": "/docker/4a1b",
			},
			wantUnified: "/system.slice/containerd.service",
		},
		{
			name:        "v2 in a private cgroup namespace",
			text:        "0::/\n",
			wantLegacy:  map[string]string{},
			wantUnified: "/",
		},
		{
			name: "hybrid systemd host, JoinControllers and a second named hierarchy",
			text: `11:name=elogind:/
10:cpuset,cpu,cpuacct:/system.slice/nginx.service
9:net_cls,net_prio:/
8:memory:/system.slice/nginx.service
1:name=systemd:/system.slice/nginx.service
0::/system.slice/nginx.service
`,
			wantLegacy: map[string]string{
				"name=elogind": "/", "cpuset": "/system.slice/nginx.service", "cpu": "/system.slice/nginx.service",
				"cpuacct": "/system.slice/nginx.service", "net_cls": "/", "net_prio": "/",
				"memory": "/system.slice/nginx.service", "name=systemd": "/system.slice/nginx.service",
			},
			wantUnified: "/system.slice/nginx.service",
		},
		{
			name:        "v2 path containing ':'",
			text:        "0::" + pod + "\n",
			wantLegacy:  map[string]string{},
			wantUnified: pod,
		},
		{
			name:        "v1 path containing ':'",
			text:        "4:memory:" + pod + "\n1:name=systemd:" + pod + "\n0::/\n",
			wantLegacy:  map[string]string{"memory": pod, "name=systemd": pod},
			wantUnified: "/",
		},
		{
			name:        "outside the cgroup namespace",
			text:        "5:memory:/../../user.slice\n0::/../..\n",
			wantLegacy:  map[string]string{"memory": "/../../user.slice"},
			wantUnified: "/../..",
		},
		{
			name:        "no trailing newline",
			text:        "3:cpu,cpuacct:/kubepods/burstable/pod1/abc",
			wantLegacy:  map[string]string{"cpu": "/kubepods/burstable/pod1/abc", "cpuacct": "/kubepods/burstable/pod1/abc"},
			wantUnified: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			legacy, unified := requireSameMemberships(t, []byte(tt.text))
			assert.Equal(t, tt.wantLegacy, legacy)
			assert.Equal(t, tt.wantUnified, unified)
		})
	}
}

// TestProcCgroupRejectsWhatContainerdRejects: a line without two colons is
// not a /proc/<pid>/cgroup line for either parser.
func TestProcCgroupRejectsWhatContainerdRejects(t *testing.T) {
	for _, text := range []string{"4:memory\n", "garbage\n", "0:/\n"} {
		t.Run(text, func(t *testing.T) {
			_, err := cgroup.AppendProcCgroup(nil, []byte(text))
			require.ErrorIs(t, err, cgroup.ErrSyntax)
			_, _, err = cgroups.ParseCgroupFromReaderUnified(strings.NewReader(text))
			require.Error(t, err)
		})
	}
}

// TestProcCgroupDiffersFromContainerdByDesign pins the inputs on which the
// parsers part ways. containerd checks only that a line has three
// colon-separated parts. The kernel (proc_cgroup_show in
// kernel/cgroup/cgroup.c) always writes a decimal hierarchy ID, a controller
// list or "name=..." for every v1 hierarchy (a v1 hierarchy cannot exist
// without one), an empty list only for the unified hierarchy, which has ID
// 0, and an absolute path; and never a blank line. AppendProcCgroup rejects
// the lines the kernel cannot write, because guessing would locate the
// wrong cgroup, and skips blank lines, which containerd rejects.
func TestProcCgroupDiffersFromContainerdByDesign(t *testing.T) {
	tests := []struct {
		name          string
		text          string
		theirLegacy   map[string]string // containerd's answer when it accepts
		theirUnified  string
		containerdErr bool
	}{
		{
			name:        "hierarchy ID not a number",
			text:        "x:memory:/a\n",
			theirLegacy: map[string]string{"memory": "/a"},
		},
		{
			name:        "empty path",
			text:        "4:memory:\n",
			theirLegacy: map[string]string{"memory": ""},
		},
		{
			name:         "relative path",
			text:         "0::user.slice\n",
			theirLegacy:  map[string]string{},
			theirUnified: "user.slice",
		},
		{
			name:         "v1 hierarchy ID without controllers",
			text:         "5::/a\n",
			theirLegacy:  map[string]string{},
			theirUnified: "/a",
		},
		{
			name:        "ID 0 with controllers",
			text:        "0:memory:/a\n",
			theirLegacy: map[string]string{"memory": "/a"},
		},
		{
			name:          "blank line between lines",
			text:          "4:memory:/a\n\n0::/\n",
			containerdErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ours, ourErr := cgroup.AppendProcCgroup(nil, []byte(tt.text))
			legacy, unified, theirErr := cgroups.ParseCgroupFromReaderUnified(strings.NewReader(tt.text))
			if tt.containerdErr {
				require.Error(t, theirErr)
				require.NoError(t, ourErr)
				legacy, unified := membershipMaps(ours)
				assert.Equal(t, map[string]string{"memory": "/a"}, legacy)
				assert.Equal(t, "/", unified)
				return
			}
			require.NoError(t, theirErr)
			assert.Equal(t, tt.theirLegacy, legacy)
			assert.Equal(t, tt.theirUnified, unified)
			require.ErrorIs(t, ourErr, cgroup.ErrSyntax)
		})
	}
}
