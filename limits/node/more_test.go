package node_test

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/treetest"
	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/node"
)

// writeFiles writes files under a temporary root (see treetest.Write).
func writeFiles(t testing.TB, files map[string]string) string { return treetest.Write(t, files) }

const v1Mountinfo = "30 25 0:26 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n" +
	"31 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"

// v1Tree is a v1 host with a memory and a cpu,cpuacct hierarchy: /a limits
// memory to 1 GiB and CPU to 0.5; /a/b sets 2 GiB; /a/c exists only in the
// memory hierarchy.
func v1Tree(useHierarchyOfA string) map[string]string {
	mem, cpu := "sys/fs/cgroup/memory", "sys/fs/cgroup/cpu,cpuacct"
	return map[string]string{
		"proc/self/mountinfo":              v1Mountinfo,
		mem + "/memory.limit_in_bytes":     "9223372036854771712\n",
		mem + "/memory.use_hierarchy":      "1\n",
		mem + "/a/memory.limit_in_bytes":   "1073741824\n",
		mem + "/a/memory.use_hierarchy":    useHierarchyOfA + "\n",
		mem + "/a/b/memory.limit_in_bytes": "2147483648\n",
		mem + "/a/b/memory.use_hierarchy":  useHierarchyOfA + "\n",
		mem + "/a/c/memory.limit_in_bytes": "536870912\n",
		cpu + "/cpu.cfs_quota_us":          "-1\n",
		cpu + "/cpu.cfs_period_us":         "100000\n",
		cpu + "/a/cpu.cfs_quota_us":        "50000\n",
		cpu + "/a/cpu.cfs_period_us":       "100000\n",
		cpu + "/a/b/cpu.cfs_quota_us":      "-1\n",
		cpu + "/a/b/cpu.cfs_period_us":     "100000\n",
		cpu + "/a/b/x":                     treetest.Dir,
	}
}

// TestScanV1JoinsHierarchies checks the v1 rules: memory.use_hierarchy
// decides whether /a's limit binds /a/b, and a cgroup missing from the cpu
// hierarchy (/a/c) takes the cpu values of its nearest ancestor there,
// names cpu in Absent, and agrees with ForCgroup either way.
func TestScanV1JoinsHierarchies(t *testing.T) {
	tests := []struct {
		useHierarchy string
		bMemory      limits.Limit
	}{
		{"1", limits.Limit{State: limits.Limited, Value: 1 << 30, Source: "/a"}},
		{"0", limits.Limit{State: limits.Limited, Value: 2 << 30, Source: "/a/b"}},
	}
	for _, tt := range tests {
		t.Run("use_hierarchy="+tt.useHierarchy, func(t *testing.T) {
			root := writeFiles(t, v1Tree(tt.useHierarchy))
			tree, reads := scanTraced(t, node.WithRoot(root))
			assertEachReadOnce(t, reads)
			require.Len(t, tree.Hierarchies, 2)
			var paths []string
			for _, cg := range tree.Cgroups {
				paths = append(paths, cg.Path)
				assertSameLimits(t, forCgroup(t, root, cg.Path), cg.Effective, cg.Path)
			}
			assert.Equal(t, []string{"/", "/a", "/a/b", "/a/b/x", "/a/c"}, paths)

			b := tree.Lookup("/a/b")
			assert.Equal(t, tt.bMemory, b.Effective.Memory)
			assert.Nil(t, b.Absent)
			assert.Equal(t, limits.CPULimit{State: limits.Limited, Quota: 50000, Period: 100000, Source: "/a"}, b.Effective.CPU)
			assert.Equal(t, limits.Unknown, b.Effective.High.State, "v1 has no memory.high")

			c := tree.Lookup("/a/c")
			assert.Equal(t, []string{"cpu"}, c.Absent)
			assert.Equal(t, limits.Unknown, c.Own.CPU.State)
			assert.Equal(t, b.Effective.CPU, c.Effective.CPU, "the nearest ancestor in the cpu hierarchy is /a")
			assert.Equal(t, limits.Limit{State: limits.Limited, Value: 512 << 20, Source: "/a/c"}, c.Effective.Memory)

			x := tree.Lookup("/a/b/x")
			assert.Equal(t, []string{"memory"}, x.Absent)
			assert.Equal(t, tt.bMemory, x.Effective.Memory, "the nearest ancestor in the memory hierarchy is /a/b")

			mem := filepath.Join(root, "sys/fs/cgroup/memory")
			assert.Contains(t, reads, mem+"/a/memory.use_hierarchy")
			assert.NotContains(t, reads, mem+"/a/b/memory.use_hierarchy", "a leaf's use_hierarchy binds nothing")
			assert.NotContains(t, reads, mem+"/a/c/memory.use_hierarchy", "a leaf's use_hierarchy binds nothing")
			assert.Contains(t, reads, mem+"/memory.stat", "the top's hierarchical_memory_limit")
		})
	}
}

// TestScanBadFiles checks that a file that cannot be read or parsed makes
// the values it feeds unknown, for the cgroup and below it only, and names
// the file in a diagnostic.
func TestScanBadFiles(t *testing.T) {
	pod := "sys/fs/cgroup/kubepods.slice/pod.slice"
	files := map[string]string{
		"proc/self/mountinfo":                             "35 24 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
		"sys/fs/cgroup/cpuset.cpus.effective":             "0-3\n",
		"sys/fs/cgroup/kubepods.slice/memory.max":         "1073741824\n",
		"sys/fs/cgroup/kubepods.slice/cpu.max":            "max 100000\n",
		"sys/fs/cgroup/kubepods.slice/sibling/memory.max": "max\n",
		pod + "/memory.max":                               "lots\n",
		pod + "/cpu.max":                                  "100000 100000\n",
		pod + "/cpuset.cpus.effective":                    "0-3,\n",
		pod + "/app.scope/memory.max":                     "268435456\n",
		pod + "/app.scope/cpu.max":                        "50000 100000\n",
		pod + "/app.scope/cpuset.cpus.effective":          "1\n",
	}
	for _, dir := range []string{"", "/kubepods.slice", "/kubepods.slice/sibling", "/kubepods.slice/pod.slice", "/kubepods.slice/pod.slice/app.scope"} {
		files["sys/fs/cgroup"+dir+"/cgroup.controllers"] = "cpuset cpu memory pids\n"
	}
	root := writeFiles(t, files)
	// A symlink to itself cannot be opened (ELOOP): a read error.
	require.NoError(t, os.Symlink("pids.max", filepath.Join(root, pod, "pids.max")))
	tree, err := node.Scan(node.WithRoot(root))
	require.NoError(t, err)

	p := tree.Lookup("/kubepods.slice/pod.slice")
	require.NotNil(t, p)
	assert.Equal(t, limits.Unknown, p.Own.Memory.State)
	assert.Equal(t, limits.Unknown, p.Effective.Memory.State)
	assert.Equal(t, limits.CPULimit{State: limits.Limited, Quota: 100000, Period: 100000, Source: p.Path}, p.Effective.CPU)
	assert.Equal(t, limits.Unknown, p.Effective.CPUSet.State)
	assert.Equal(t, limits.Unknown, p.Effective.Pids.State)

	app := tree.Lookup("/kubepods.slice/pod.slice/app.scope")
	require.NotNil(t, app)
	assert.Equal(t, limits.Limited, app.Own.Memory.State)
	assert.Equal(t, limits.Unknown, app.Effective.Memory.State, "an unreadable ancestor's limit could be lower")
	assert.Equal(t, limits.Limited, app.Effective.CPU.State)
	assert.Equal(t, "1", app.Effective.CPUSet.CPUs.String(), "the nearest cpuset file decides")
	assert.Equal(t, limits.Unknown, app.Effective.Pids.State)

	sibling := tree.Lookup("/kubepods.slice/sibling")
	require.NotNil(t, sibling)
	assert.Equal(t, limits.Limit{State: limits.Limited, Value: 1 << 30, Source: "/kubepods.slice"}, sibling.Effective.Memory)

	codes := map[limits.Code][]string{}
	for _, d := range tree.Diagnostics {
		codes[d.Code] = append(codes[d.Code], d.Message)
	}
	require.Len(t, codes[limits.CodeBadValue], 2)
	assert.Contains(t, codes[limits.CodeBadValue][0], filepath.Join(root, pod, "memory.max"))
	assert.Contains(t, codes[limits.CodeBadValue][1], filepath.Join(root, pod, "cpuset.cpus.effective"))
	require.Len(t, codes[limits.CodeReadError], 1)
	assert.Contains(t, codes[limits.CodeReadError][0], filepath.Join(root, pod, "pids.max"))

	for _, cg := range tree.Cgroups {
		assertSameLimits(t, forCgroup(t, root, cg.Path), cg.Effective, cg.Path)
	}
}

// TestScanIgnoringLinkCounts lists every directory to its end, as on a
// filesystem whose link counts say nothing, and expects the same answer and
// the same files read.
func TestScanIgnoringLinkCounts(t *testing.T) {
	k := writeKubeletTree(t, t.TempDir(), 60)
	want, wantReads := scanTraced(t, node.WithRoot(k.root))
	restore := node.IgnoreLinkCounts()
	got, gotReads := scanTraced(t, node.WithRoot(k.root))
	restore()
	assert.Equal(t, want, got)
	assert.Equal(t, wantReads, gotReads)
	assert.Len(t, got.Cgroups, len(k.cgroups))
}

func TestLookupAndOrder(t *testing.T) {
	paths := []string{"/", "/a", "/a/b", "/a/b/c", "/a/x", "/a-b", "/a-b/z", "/a.slice", "/b"}
	var files = map[string]string{"proc/self/mountinfo": "35 24 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"}
	for _, p := range paths {
		files[filepath.Join("sys/fs/cgroup", p, "cgroup.controllers")] = "memory\n"
	}
	tree, err := node.Scan(node.WithRoot(writeFiles(t, files)))
	require.NoError(t, err)
	var got []string
	for _, cg := range tree.Cgroups {
		got = append(got, cg.Path)
	}
	assert.Equal(t, paths, got, "a cgroup comes right before its subtree")
	for _, p := range paths {
		cg := tree.Lookup(p)
		require.NotNil(t, cg, p)
		assert.Equal(t, p, cg.Path)
	}
	for _, p := range []string{"", "/a/", "/a/b/c/d", "/0", "/c"} {
		assert.Nil(t, tree.Lookup(p), p)
	}
}

// TestScanLiveHost scans this machine and checks the process's own memory
// cgroup against ForCgroup.
func TestScanLiveHost(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("cgroups are Linux only")
	}
	f, err := os.Open("/proc/self/cgroup")
	require.NoError(t, err)
	defer f.Close()
	own := ""
	for sc := bufio.NewScanner(f); sc.Scan(); {
		fields := strings.SplitN(sc.Text(), ":", 3)
		if len(fields) == 3 && (fields[1] == "memory" || (fields[0] == "0" && own == "")) {
			own = fields[2]
		}
	}
	tree, reads := scanTraced(t)
	assertEachReadOnce(t, reads)
	if len(tree.Hierarchies) == 0 {
		t.Skip("no cgroup hierarchy here:", tree.Diagnostics)
	}
	t.Logf("%d cgroups, %d files read, hierarchies %+v", len(tree.Cgroups), len(reads), tree.Hierarchies)
	cg := tree.Lookup(own)
	require.NotNil(t, cg, "own cgroup %s", own)
	res, err := limits.ForCgroup(own, limits.FormCgroupfs)
	require.NoError(t, err)
	assert.Equal(t, res.Memory.Limit, cg.Effective.Memory)
}
