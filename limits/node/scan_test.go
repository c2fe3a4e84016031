package node_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/node"
)

// forCgroup is the single-walk answer for one cgroup, in Scan's shape.
func forCgroup(t testing.TB, root, path string) node.Limits {
	t.Helper()
	res, err := limits.ForCgroup(path, limits.FormCgroupfs, limits.WithRoot(root))
	require.NoError(t, err, path)
	return node.Limits{Memory: res.Memory.Limit, High: res.Memory.High, CPU: res.CPU.Limit, CPUSet: res.CPU.Set, Pids: res.Pids}
}

// assertSameLimits compares two Limits field by field, cpusets by content.
func assertSameLimits(t testing.TB, want, got node.Limits, path string) {
	t.Helper()
	assert.Equal(t, want.Memory, got.Memory, "memory of %s", path)
	assert.Equal(t, want.High, got.High, "memory.high of %s", path)
	assert.Equal(t, want.CPU, got.CPU, "cpu of %s", path)
	assert.Equal(t, want.Pids, got.Pids, "pids of %s", path)
	assert.Equal(t, want.CPUSet.State, got.CPUSet.State, "cpuset state of %s", path)
	assert.Equal(t, want.CPUSet.Source, got.CPUSet.Source, "cpuset source of %s", path)
	assert.True(t, want.CPUSet.CPUs.Equal(got.CPUSet.CPUs), "cpuset of %s: want %s, got %s", path, want.CPUSet.CPUs, got.CPUSet.CPUs)
}

// scanTraced scans and returns the tree and the files read, in order.
func scanTraced(t testing.TB, opts ...node.Option) (*node.Tree, []string) {
	t.Helper()
	var files []string
	stop := node.TraceReads(func(p []byte) { files = append(files, string(p[:len(p)-1])) })
	tree, err := node.Scan(opts...)
	stop()
	require.NoError(t, err)
	return tree, files
}

// assertEachReadOnce checks that no file was read twice, so that no
// ancestor was re-read, and returns the files read per directory.
func assertEachReadOnce(t testing.TB, files []string) map[string][]string {
	t.Helper()
	seen := map[string]bool{}
	perDir := map[string][]string{}
	for _, f := range files {
		assert.False(t, seen[f], "%s read twice", f)
		seen[f] = true
		perDir[filepath.Dir(f)] = append(perDir[filepath.Dir(f)], filepath.Base(f))
	}
	return perDir
}

// TestScanMatchesForCgroupOnFixtures runs Scan on every captured tree and
// checks each cgroup's effective limits against limits.ForCgroup, which
// walks up from that one cgroup (the fixture tests check ForCgroup against
// each tree's SOURCE.md), and that no file was read twice.
func TestScanMatchesForCgroupOnFixtures(t *testing.T) {
	trees, err := filepath.Glob("../../testdata/*/proc/self/mountinfo")
	require.NoError(t, err)
	require.NotEmpty(t, trees)
	for _, mi := range trees {
		root := filepath.Dir(filepath.Dir(filepath.Dir(mi)))
		t.Run(filepath.Base(root), func(t *testing.T) {
			tree, files := scanTraced(t, node.WithRoot(root))
			assertEachReadOnce(t, files)
			if strings.HasPrefix(filepath.Base(root), "none-") {
				assert.Empty(t, tree.Cgroups)
				assert.Equal(t, limits.CodeNoCgroup, tree.Diagnostics[0].Code)
				return
			}
			if strings.Contains(filepath.Base(root), "outside-cgroupns") {
				assert.NotEmpty(t, tree.Cgroups, "the mount's own root is still scanned")
			}
			require.NotEmpty(t, tree.Cgroups)
			for i, cg := range tree.Cgroups {
				if i > 0 {
					assert.Less(t, tree.Cgroups[i-1].Path, cg.Path+"\xff", "order")
				}
				assertSameLimits(t, forCgroup(t, root, cg.Path), cg.Effective, cg.Path)
				assert.Same(t, &tree.Cgroups[i], tree.Lookup(cg.Path))
			}
			t.Logf("%d cgroups, %d files read, hierarchies %+v", len(tree.Cgroups), len(files), tree.Hierarchies)
		})
	}
}

// TestScanGeneratedNode checks Scan on a generated kubelet node: every
// cgroup is found, each file is read exactly once and only the limit files
// of each cgroup are read, and a sample of cgroups agrees with ForCgroup.
func TestScanGeneratedNode(t *testing.T) {
	const pods = 300
	k := writeKubeletTree(t, t.TempDir(), pods)
	tree, files := scanTraced(t, node.WithRoot(k.root))
	require.Len(t, tree.Cgroups, len(k.cgroups))
	assert.Empty(t, tree.Diagnostics)
	perDir := assertEachReadOnce(t, files)
	limitFiles := []string{"memory.max", "memory.high", "cpu.max", "cpuset.cpus.effective", "pids.max"}
	for _, path := range k.cgroups {
		dir := filepath.Join(k.root, "sys/fs/cgroup", path)
		want := limitFiles
		if path == "/" { // nothing is decided there: whether the controllers are enabled is
			want = append(limitFiles[:len(limitFiles):len(limitFiles)], "cgroup.controllers")
		}
		assert.ElementsMatch(t, want, perDir[dir], "files read in %s", path)
	}
	assert.Len(t, files, 5*len(k.cgroups)+1)
	t.Logf("%d cgroups, %d files read: %.2f per cgroup", len(tree.Cgroups), len(files), float64(len(files))/float64(len(tree.Cgroups)))

	for i, path := range k.cgroups {
		if i < 8 || i%37 == 0 {
			cg := tree.Lookup(path)
			require.NotNil(t, cg, path)
			assertSameLimits(t, forCgroup(t, k.root, path), cg.Effective, path)
		}
	}
}

// TestScanGeneratedNodeValues spells out a few answers of the generated
// node, so that Scan and ForCgroup cannot agree on a wrong one.
func TestScanGeneratedNodeValues(t *testing.T) {
	k := writeKubeletTree(t, t.TempDir(), 3) // one pod of each QoS class
	tree, err := node.Scan(node.WithRoot(k.root))
	require.NoError(t, err)
	byName := func(prefix string) node.Cgroup {
		for _, cg := range tree.Cgroups {
			if strings.Contains(cg.Path, prefix) {
				return cg
			}
		}
		t.Fatalf("no cgroup %s", prefix)
		return node.Cgroup{}
	}
	root := tree.Cgroups[0]
	assert.Equal(t, "/", root.Path)
	assert.Equal(t, limits.Unlimited, root.Effective.Memory.State, "the root cgroup has no memory.max; memory is enabled")
	assert.Equal(t, limits.Unlimited, root.Effective.CPU.State)
	assert.Equal(t, "0-7", root.Effective.CPUSet.CPUs.String())

	guaranteed := k.cgroups[5] // pod 0's first container, after /, kubepods, 2 QoS slices, pod 0
	require.Contains(t, guaranteed, "kubepods-pod")
	cg := tree.Lookup(guaranteed)
	require.NotNil(t, cg)
	assert.Equal(t, limits.Limit{State: limits.Limited, Value: 256 << 20, Source: guaranteed}, cg.Own.Memory)
	assert.Equal(t, cg.Own.Memory, cg.Effective.Memory)
	assert.Equal(t, limits.CPULimit{State: limits.Limited, Quota: 25000, Period: 100000, Source: guaranteed}, cg.Effective.CPU)
	assert.Equal(t, "2-3", cg.Effective.CPUSet.CPUs.String())
	pod := guaranteed[:strings.LastIndexByte(guaranteed, '/')]
	assert.Equal(t, limits.Limit{State: limits.Limited, Value: 4096, Source: pod}, cg.Effective.Pids)
	assert.Equal(t, limits.Limit{State: limits.Unlimited}, cg.Own.High)
	assert.Equal(t, limits.Limit{State: limits.Unlimited}, cg.Effective.High)
	assert.Equal(t, []string{node.LimitPids}, cg.DiffersFromOwn(), "only pids.max comes from the pod")

	besteffort := byName("kubepods-besteffort-pod")
	assert.Equal(t, limits.Limit{State: limits.Limited, Value: 7 << 30, Source: "/kubepods.slice"}, besteffort.Effective.Memory)
	assert.Equal(t, limits.Unlimited, besteffort.Own.Memory.State)
	assert.Equal(t, limits.Unlimited, besteffort.Effective.CPU.State)
	assert.Equal(t, []string{node.LimitMemory}, besteffort.DiffersFromOwn())

	// Burstable container 1 ties with its pod at 1 GiB: the closer cgroup
	// is the source. Its memory.high is the lowest.
	var burstable []node.Cgroup
	for _, cg := range tree.Cgroups {
		if strings.Contains(cg.Path, "burstable-pod") && strings.HasSuffix(cg.Path, ".scope") {
			burstable = append(burstable, cg)
		}
	}
	require.Len(t, burstable, 3)
	tie := burstable[1]
	for _, c := range burstable {
		if c.Own.High.State == limits.Limited {
			tie = c
		}
	}
	assert.Equal(t, limits.Limit{State: limits.Limited, Value: 1 << 30, Source: tie.Path}, tie.Effective.Memory)
	assert.Equal(t, limits.Limit{State: limits.Limited, Value: 384 << 20, Source: tie.Path}, tie.Effective.High)
}

// TestScanTop scans below one QoS slice: only its subtree is reported, its
// ancestors are read once each, other subtrees not at all, and the answers
// equal those of the full scan.
func TestScanTop(t *testing.T) {
	k := writeKubeletTree(t, t.TempDir(), 30)
	full, err := node.Scan(node.WithRoot(k.root))
	require.NoError(t, err)
	const top = "/kubepods.slice/kubepods-burstable.slice"
	tree, files := scanTraced(t, node.WithRoot(k.root), node.WithTop(top))
	assertEachReadOnce(t, files)
	require.NotEmpty(t, tree.Cgroups)
	assert.Equal(t, top, tree.Cgroups[0].Path)
	assert.Equal(t, top, tree.Hierarchies[0].Top)
	assert.Len(t, tree.Cgroups, 1+10*4)
	for _, cg := range tree.Cgroups {
		assert.True(t, cg.Path == top || strings.HasPrefix(cg.Path, top+"/"), cg.Path)
		assert.Equal(t, *full.Lookup(cg.Path), cg)
	}
	for _, f := range files {
		assert.NotContains(t, f, "besteffort", "a file outside the top was read")
		assert.NotContains(t, f, "kubepods-pod", "a file outside the top was read")
	}
	assert.Contains(t, files, filepath.Join(k.root, "sys/fs/cgroup/kubepods.slice/memory.max"), "an ancestor's limit binds the top")
	assert.NotContains(t, files, filepath.Join(k.root, "sys/fs/cgroup/cgroup.controllers"), "nothing is reported for the root cgroup")
}

func TestScanErrors(t *testing.T) {
	k := writeKubeletTree(t, t.TempDir(), 1)
	tests := []struct {
		name string
		opts []node.Option
		is   any
	}{
		{"relative top", []node.Option{node.WithRoot(k.root), node.WithTop("kubepods.slice")}, new(*limits.CgroupPathError)},
		{"dot-dot top", []node.Option{node.WithRoot(k.root), node.WithTop("/kubepods.slice/../x")}, new(*limits.CgroupPathError)},
		{"top that does not exist", []node.Option{node.WithRoot(k.root), node.WithTop("/nope.slice")}, new(*limits.Error)},
		{"no mountinfo", []node.Option{node.WithRoot(t.TempDir())}, new(*limits.Error)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree, err := node.Scan(tt.opts...)
			require.Error(t, err)
			assert.Nil(t, tree)
			assert.ErrorAs(t, err, tt.is)
		})
	}
}
