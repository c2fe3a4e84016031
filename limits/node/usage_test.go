package node_test

import (
	"fmt"
	"hash/fnv"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/treetest"
	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/node"
)

// known is a known count of mib MiB, room a headroom of mib MiB.
func known(mib uint64) limits.Count { return limits.Count{Value: mib << 20, Known: true} }

func room(mib uint64, source string) limits.Headroom {
	return limits.Headroom{Known: true, Bytes: mib << 20, Source: source}
}

const (
	kubepods = "/kubepods.slice"
	pod      = kubepods + "/pod.slice"
	appA     = pod + "/a.scope" // no limit of its own: the pod binds it
	appB     = pod + "/b.scope" // its own limit leaves the least room
	appC     = pod + "/c.scope" // its own room ties with the pod's
	other    = kubepods + "/other.slice"
	system   = "/system.slice"
)

// podTree is a v2 node: kubepods.slice limits 4 GiB and uses 3 GiB (1 GiB
// of room); its pod limits 1 GiB and uses 900 MiB (124 MiB of room), with
// three containers: a.scope without a limit, b.scope 450 MiB using 400
// (50 MiB), c.scope 224 MiB using 100 (124 MiB, a tie with the pod). A
// sibling of the pod and system.slice have no limit; the root cgroup, as on
// a kernel, no memory.current.
func podTree() map[string]string {
	files := map[string]string{"proc/self/mountinfo": "35 24 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"}
	cgroups := []struct {
		path, max string
		current   uint64 // MiB, 0 for none
	}{
		{"/", "", 0},
		{kubepods, "4294967296", 3072},
		{pod, "1073741824", 900},
		{appA, "max", 500},
		{appB, fmt.Sprint(450 << 20), 400},
		{appC, fmt.Sprint(224 << 20), 100},
		{other, "max", 100},
		{system, "max", 200},
	}
	for _, cg := range cgroups {
		dir := filepath.Join("sys/fs/cgroup", cg.path)
		files[dir+"/cgroup.controllers"] = "cpu memory pids\n"
		if cg.max != "" {
			files[dir+"/memory.max"] = cg.max + "\n"
		}
		if cg.current != 0 {
			files[dir+"/memory.current"] = fmt.Sprintln(cg.current << 20)
		}
	}
	return files
}

// v1UsageTree is v1Tree with memory.usage_in_bytes: / uses 5 GiB, /a (1
// GiB) 1000 MiB, leaving 24 MiB, /a/b (2 GiB) 600 MiB, /a/c (512 MiB) 300
// MiB. /a/b/x is in the cpu hierarchy only.
func v1UsageTree(useHierarchyOfA string) map[string]string {
	files := v1Tree(useHierarchyOfA)
	mem := "sys/fs/cgroup/memory"
	for dir, mib := range map[string]uint64{"": 5 << 10, "/a": 1000, "/a/b": 600, "/a/c": 300} {
		files[mem+dir+"/memory.usage_in_bytes"] = fmt.Sprintln(mib << 20)
	}
	return files
}

// forCgroupUsage is the single-walk usage of one cgroup.
func forCgroupUsage(t testing.TB, root, path string) limits.MemoryUsage {
	t.Helper()
	_, u, err := limits.ForCgroupUsage(path, limits.FormCgroupfs, limits.WithRoot(root))
	require.NoError(t, err, path)
	return u.Memory
}

// assertUsageAgrees checks every cgroup's usage against
// limits.ForCgroupUsage, which walks up from that one cgroup: the same
// headroom rule, in the other direction.
func assertUsageAgrees(t testing.TB, root string, tree *node.Tree) {
	t.Helper()
	for _, cg := range tree.Cgroups {
		require.NotNil(t, cg.Usage, cg.Path)
		m := forCgroupUsage(t, root, cg.Path)
		assert.Equal(t, m.Headroom, cg.Usage.Headroom, "headroom of %s", cg.Path)
		assert.Equal(t, m.Current, cg.Usage.Current, "current of %s", cg.Path)
	}
}

func TestScanUsage(t *testing.T) {
	podCurrent := filepath.Join("sys/fs/cgroup", pod, "memory.current")
	podUsage := map[string]node.CgroupUsage{
		"/":      {},
		kubepods: {Current: known(3072), Headroom: room(1024, kubepods)},
		pod:      {Current: known(900), Headroom: room(124, pod)},
		appA:     {Current: known(500), Headroom: room(124, pod)},
		appB:     {Current: known(400), Headroom: room(50, appB)},
		appC:     {Current: known(100), Headroom: room(124, appC)},
		other:    {Current: known(100), Headroom: room(1024, kubepods)},
		system:   {Current: known(200)},
	}
	tests := []struct {
		name  string
		files map[string]string
		want  map[string]node.CgroupUsage
		// diag is the file a bad-value diagnostic names, "" for none.
		diag string
	}{
		{name: "the pod binds a container without a limit, its own limit a leaf; a tie goes to the leaf",
			files: podTree(), want: podUsage},
		{name: "garbage memory.current of the pod: its headroom and its containers' are unknown",
			files: with(podTree(), map[string]string{podCurrent: "lots\n"}),
			want: withUsages(podUsage, map[string]node.CgroupUsage{
				pod: {}, appA: {Current: known(500)}, appB: {Current: known(400)}, appC: {Current: known(100)},
			}),
			diag: podCurrent},
		{name: "garbage memory.current of a container without a limit: only its current is unknown",
			files: with(podTree(), map[string]string{filepath.Join("sys/fs/cgroup", appA, "memory.current"): "-1\n"}),
			want:  withUsages(podUsage, map[string]node.CgroupUsage{appA: {Headroom: room(124, pod)}}),
			diag:  filepath.Join("sys/fs/cgroup", appA, "memory.current")},
		{name: "absent memory.current of the pod: unknown, no diagnostic",
			files: without(podTree(), podCurrent),
			want: withUsages(podUsage, map[string]node.CgroupUsage{
				pod: {}, appA: {Current: known(500)}, appB: {Current: known(400)}, appC: {Current: known(100)},
			})},
		{name: "v1 use_hierarchy 1: /a binds the cgroups below it",
			files: v1UsageTree("1"),
			want: map[string]node.CgroupUsage{
				"/":      {Current: known(5 << 10)},
				"/a":     {Current: known(1000), Headroom: room(24, "/a")},
				"/a/b":   {Current: known(600), Headroom: room(24, "/a")},
				"/a/b/x": {Headroom: room(24, "/a")},
				"/a/c":   {Current: known(300), Headroom: room(24, "/a")},
			}},
		{name: "v1 use_hierarchy 0 cuts the limited /a off from its children",
			files: v1UsageTree("0"),
			want: map[string]node.CgroupUsage{
				"/":      {Current: known(5 << 10)},
				"/a":     {Current: known(1000), Headroom: room(24, "/a")},
				"/a/b":   {Current: known(600), Headroom: room(2048-600, "/a/b")},
				"/a/b/x": {Headroom: room(2048-600, "/a/b")},
				"/a/c":   {Current: known(300), Headroom: room(512-300, "/a/c")},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := writeFiles(t, tt.files)
			tree, reads := scanTraced(t, node.WithRoot(root), node.WithUsage())
			assertEachReadOnce(t, reads)
			got := map[string]node.CgroupUsage{}
			for _, cg := range tree.Cgroups {
				require.NotNil(t, cg.Usage, cg.Path)
				got[cg.Path] = *cg.Usage
			}
			assert.Equal(t, tt.want, got)
			var bad []string
			for _, d := range tree.Diagnostics {
				if d.Code == limits.CodeBadValue || d.Code == limits.CodeReadError {
					bad = append(bad, d.Message)
				}
			}
			if tt.diag == "" {
				assert.Empty(t, bad)
			} else if assert.Len(t, bad, 1) {
				assert.Contains(t, bad[0], filepath.Join(root, tt.diag))
			}
			assertUsageAgrees(t, root, tree)

			plain, err := node.Scan(node.WithRoot(root))
			require.NoError(t, err)
			for i := range plain.Cgroups {
				assert.Nil(t, plain.Cgroups[i].Usage, "without WithUsage")
				tree.Cgroups[i].Usage = nil
			}
			assert.Equal(t, plain.Cgroups, tree.Cgroups, "WithUsage changes nothing else")
		})
	}
}

// withUsages returns usages with changes applied.
func withUsages(usages, changes map[string]node.CgroupUsage) map[string]node.CgroupUsage {
	out := maps.Clone(usages)
	maps.Copy(out, changes)
	return out
}

// TestScanUsageReads checks the files WithUsage reads on a generated
// node: each cgroup's memory.current once, besides what Scan reads; with
// WithTop, of the ancestors only those whose limit is set, once each.
func TestScanUsageReads(t *testing.T) {
	k := writeKubeletTree(t, t.TempDir(), 90)
	_, plainReads := scanTraced(t, node.WithRoot(k.root))
	tree, reads := scanTraced(t, node.WithRoot(k.root), node.WithUsage())
	assertEachReadOnce(t, reads)
	require.Len(t, tree.Cgroups, len(k.cgroups))
	assert.Empty(t, tree.Diagnostics)
	var currents []string
	for _, f := range reads {
		if filepath.Base(f) == "memory.current" {
			currents = append(currents, filepath.Dir(f))
		} else {
			assert.Contains(t, plainReads, f)
		}
	}
	assert.Len(t, currents, len(k.cgroups), "one memory.current per cgroup (the root's absent)")
	assert.Len(t, reads, len(plainReads)+len(k.cgroups))
	for i, cg := range tree.Cgroups {
		if i < 12 || i%17 == 0 {
			m := forCgroupUsage(t, k.root, cg.Path)
			assert.Equal(t, m.Headroom, cg.Usage.Headroom, "headroom of %s", cg.Path)
			assert.Equal(t, m.Current, cg.Usage.Current, "current of %s", cg.Path)
		}
	}
	sources := map[string]int{} // by the kind of level
	for _, cg := range tree.Cgroups {
		switch h := cg.Usage.Headroom; {
		case !h.Known:
		case h.Source == kubepods:
			sources["kubepods"]++
		case strings.HasSuffix(h.Source, ".scope"):
			sources["container"]++
		default:
			sources["pod"]++
		}
	}
	assert.Len(t, sources, 3, "the least room comes from kubepods.slice, pods and containers: %v", sources)

	const top = "/kubepods.slice/kubepods-burstable.slice"
	sub, topReads := scanTraced(t, node.WithRoot(k.root), node.WithTop(top), node.WithUsage())
	assertEachReadOnce(t, topReads)
	cgroupDir := filepath.Join(k.root, "sys/fs/cgroup")
	assert.Contains(t, topReads, cgroupDir+"/kubepods.slice/memory.current", "the limited ancestor's usage")
	assert.NotContains(t, topReads, cgroupDir+"/memory.current", "the root cgroup has no memory limit")
	for _, cg := range sub.Cgroups {
		assert.Equal(t, tree.Lookup(cg.Path).Usage, cg.Usage, cg.Path)
	}
}

// TestScanUsageMatchesForCgroupOnFixtures checks the usage of every
// cgroup of every captured tree, given a memory.current (v1
// memory.usage_in_bytes) in each memory cgroup, against
// limits.ForCgroupUsage, hierarchical_memory_limit candidates (a level
// hidden above the top visible cgroup binds) included.
func TestScanUsageMatchesForCgroupOnFixtures(t *testing.T) {
	trees, err := filepath.Glob("../../testdata/*/proc/self/mountinfo")
	require.NoError(t, err)
	for _, mi := range trees {
		root := treetest.Copy(t, filepath.Dir(filepath.Dir(filepath.Dir(mi))))
		t.Run(filepath.Base(filepath.Dir(filepath.Dir(filepath.Dir(mi)))), func(t *testing.T) {
			addUsage(t, root)
			tree, reads := scanTraced(t, node.WithRoot(root), node.WithUsage())
			assertEachReadOnce(t, reads)
			hierarchical := 0
			for _, cg := range tree.Cgroups {
				require.NotNil(t, cg.Usage, cg.Path)
				m := forCgroupUsage(t, root, cg.Path)
				assert.Equal(t, m.Current, cg.Usage.Current, "current of %s", cg.Path)
				if m.Headroom.Source == limits.SourceHierarchicalMemoryLimit {
					hierarchical++
				}
				assert.Equal(t, m.Headroom, cg.Usage.Headroom, "headroom of %s", cg.Path)
			}
			t.Logf("%d cgroups, %d with a headroom from hierarchical_memory_limit", len(tree.Cgroups), hierarchical)
		})
	}
}

// addUsage writes a usage below 2 GiB, from a hash of its path, into every
// memory cgroup of the tree at root: those that have a memory.max (v2) or a
// memory.limit_in_bytes (v1).
func addUsage(t testing.TB, root string) {
	t.Helper()
	dirs := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.Name() == "memory.max":
			dirs[filepath.Dir(path)] = "memory.current"
		case d.Name() == "memory.limit_in_bytes":
			dirs[filepath.Dir(path)] = "memory.usage_in_bytes"
		}
		return nil
	})
	require.NoError(t, err)
	for dir, name := range dirs {
		h := fnv.New32a()
		h.Write([]byte(dir))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(fmt.Sprintln(uint64(h.Sum32()%2048+1)<<20)), 0o644))
	}
}
