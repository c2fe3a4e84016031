package limits_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/treetest"
	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/systemd"
)

// The trees ForCgroup is tried on, and the cgroups in them; each tree's
// SOURCE.md derives the values the cases expect.
const (
	v2LeafMaxTree       = "../testdata/v2-k8s-systemd-pod-limit-leaf-max"
	v1LeafUnlimitedTree = "../testdata/v1-k8s-systemd-pod-limit-leaf-unlimited"
	literalTree         = "../testdata/v2-runsc-literal-under-system-slice"

	v2PodSlice  = "kubepods-burstable-pod2d7d6742_06e6_4c5c_a405_5a05fa9b85a6.slice"
	v2PodPath   = "/kubepods.slice/kubepods-burstable.slice/" + v2PodSlice
	v2PauseID   = "d8e642ac67a0b873e64e98295022eb1ac086e2e3ee36c530ce164a25cb429656"
	v2PausePath = v2PodPath + "/cri-containerd-" + v2PauseID + ".scope"

	v1PodSlice  = "kubepods-burstable-pod1681e246_7207_47ae_afd7_cadc9eb9d154.slice"
	v1PodPath   = "/kubepods.slice/kubepods-burstable.slice/" + v1PodSlice
	v1PauseID   = "764d248110a78d8fc0bd1ebdc45294b8772ed7e02fa4a56d6dfd755cfaa739d5"
	v1PausePath = v1PodPath + "/cri-containerd-" + v1PauseID + ".scope"

	literalPodSlice = "kubepods-burstable-podbaa350d2_86ef_48b7_a432_d8c6d0f5850a.slice"
	literalPodPath  = "/kubepods.slice/kubepods-burstable.slice/" + literalPodSlice
	literalID       = "230f569116fb7d6efadbbc059a5c5e602efc650c6027fc60aa3c44dedf042f39"
	literalPath     = "/system.slice/" + literalPodSlice + ":cri-containerd:" + literalID

	// newContainerID names a container whose scope no tree has yet.
	newContainerID = "55ef6798cd9627298fa852f33539f00214c1f3b1908626a713c0abc9404eb2db"
)

// criContainerd returns containerd's systemd cgroupsPath for a container of
// the pod slice: "<pod slice>:cri-containerd:<id>".
func criContainerd(podSlice, id string) string {
	return podSlice + ":cri-containerd:" + id
}

// forCgroupWant is what a ForCgroup case checks in the Result.
type forCgroupWant struct {
	placement string // cgroups.*.path of memory, cpu, cpuset and pids
	version   cgroup.Version
	memory    limits.Limit
	cpu       limits.CPULimit
	codes     []limits.Code // the distinct diagnostic codes, sorted
}

// The limits of the pod slices in the trees, as their SOURCE.md derive them.
var (
	v2PodMemory = limits.Limit{State: limits.Limited, Value: 2 << 30, Source: v2PodPath}
	v2PodCPU    = limits.CPULimit{State: limits.Limited, Quota: 200000, Period: 100000, Source: v2PodPath}

	v1PodMemory = limits.Limit{State: limits.Limited, Value: 512 << 20, Source: v1PodPath}
	v1PodCPU    = limits.CPULimit{State: limits.Limited, Quota: 50000, Period: 100000, Source: v1PodPath}

	literalPodMemory = limits.Limit{State: limits.Limited, Value: 256 << 20, Source: literalPodPath}
	literalPodCPU    = limits.CPULimit{State: limits.Limited, Quota: 100000, Period: 100000, Source: literalPodPath}

	noMemoryLimit = limits.Limit{State: limits.Unlimited}
	noCPULimit    = limits.CPULimit{State: limits.Unlimited}
)

// diagnosticCodes returns the distinct codes of res's diagnostics, sorted.
func diagnosticCodes(res limits.Result) []limits.Code {
	codes := []limits.Code{}
	for _, d := range res.Diagnostics {
		if !slices.Contains(codes, d.Code) {
			codes = append(codes, d.Code)
		}
	}
	slices.Sort(codes)
	return codes
}

func assertForCgroup(t *testing.T, res limits.Result, want forCgroupWant) {
	t.Helper()
	assert.Equal(t, want.memory, res.Memory.Limit, "memory limit")
	assert.Equal(t, want.cpu, res.CPU.Limit, "cpu limit")
	for _, controller := range []string{"memory", "cpu", "cpuset", "pids"} {
		p, ok := res.Placement(controller)
		if assert.True(t, ok, "%s not located", controller) {
			assert.Equal(t, want.placement, p.Path, "%s placement", controller)
			assert.Equal(t, want.version, p.Version, "%s version", controller)
		}
	}
	assert.Equal(t, want.codes, diagnosticCodes(res), "diagnostics: %v", res.Diagnostics)
}

type forCgroupCase struct {
	name string
	tree string
	path string
	form limits.PathForm
	want forCgroupWant
}

func runForCgroupCases(t *testing.T, cases []forCgroupCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := limits.ForCgroup(tc.path, tc.form, limits.WithRoot(tc.tree))
			require.NoError(t, err)
			assertForCgroup(t, res, tc.want)
		})
	}
}

// TestForCgroupPodLimitWithMaxLeaf is the gVisor sizing question on v2 and
// v1: the pause scope says max/unlimited, the pod slice above it holds the
// limit, in both the cgroupfs and the systemd spelling of the scope.
func TestForCgroupPodLimitWithMaxLeaf(t *testing.T) {
	v2 := forCgroupWant{
		placement: v2PausePath, version: 2,
		memory: v2PodMemory, cpu: v2PodCPU,
		codes: []limits.Code{limits.CodeLimitInAncestor},
	}
	v1 := forCgroupWant{
		placement: v1PausePath, version: 1,
		memory: v1PodMemory, cpu: v1PodCPU,
		codes: []limits.Code{limits.CodeLimitInAncestor},
	}
	runForCgroupCases(t, []forCgroupCase{
		{name: "v2 cgroupfs path", tree: v2LeafMaxTree, path: v2PausePath, want: v2},
		{name: "v2 systemd form", tree: v2LeafMaxTree, path: criContainerd(v2PodSlice, v2PauseID), want: v2},
		{name: "v2 systemd form forced", tree: v2LeafMaxTree, path: criContainerd(v2PodSlice, v2PauseID),
			form: limits.FormSystemd, want: v2},
		{name: "v1 cgroupfs path", tree: v1LeafUnlimitedTree, path: v1PausePath, want: v1},
		{name: "v1 systemd form", tree: v1LeafUnlimitedTree, path: criContainerd(v1PodSlice, v1PauseID), want: v1},
		{name: "v1 cgroupfs path forced", tree: v1LeafUnlimitedTree, path: v1PausePath,
			form: limits.FormCgroupfs, want: v1},
	})
}

// TestForCgroupScopeNotCreated asks, as a runtime does before it creates the
// scope, about a container of an existing pod slice: the walk starts at the
// pod slice and says so.
func TestForCgroupScopeNotCreated(t *testing.T) {
	notCreated := []limits.Code{limits.CodeCgroupNotCreated}
	runForCgroupCases(t, []forCgroupCase{
		{name: "v2 systemd form", tree: v2LeafMaxTree, path: criContainerd(v2PodSlice, newContainerID),
			want: forCgroupWant{placement: v2PodPath, version: 2, memory: v2PodMemory, cpu: v2PodCPU, codes: notCreated}},
		{name: "v2 cgroupfs path", tree: v2LeafMaxTree, path: v2PodPath + "/cri-containerd-" + newContainerID + ".scope",
			want: forCgroupWant{placement: v2PodPath, version: 2, memory: v2PodMemory, cpu: v2PodCPU, codes: notCreated}},
		{name: "v2 two levels missing", tree: v2LeafMaxTree, path: v2PodPath + "/cri-containerd-" + newContainerID + ".scope/init",
			want: forCgroupWant{placement: v2PodPath, version: 2, memory: v2PodMemory, cpu: v2PodCPU, codes: notCreated}},
		{name: "v1 systemd form", tree: v1LeafUnlimitedTree, path: criContainerd(v1PodSlice, newContainerID),
			want: forCgroupWant{placement: v1PodPath, version: 1, memory: v1PodMemory, cpu: v1PodCPU, codes: notCreated}},
		// The misconfigured node: asked with the systemd form runsc should
		// have honoured, the pod's 256 MiB applies.
		{name: "pod slice the literal sandbox missed", tree: literalTree, path: criContainerd(literalPodSlice, literalID),
			want: forCgroupWant{placement: literalPodPath, version: 2, memory: literalPodMemory, cpu: literalPodCPU, codes: notCreated}},
		{name: "missing pod under an existing QoS slice", tree: v2LeafMaxTree,
			path: criContainerd("kubepods-burstable-pod0b8f3a52_5d7e_4c1a_9f3e_2a6b7c8d9e0f.slice", newContainerID),
			want: forCgroupWant{placement: "/kubepods.slice/kubepods-burstable.slice", version: 2,
				memory: limits.Limit{State: limits.Limited, Value: 32578871296, Source: "/kubepods.slice"},
				cpu:    noCPULimit, codes: []limits.Code{limits.CodeCgroupNotCreated, limits.CodeLimitInAncestor}}},
	})
}

// TestForCgroupLiteralSandbox is the directory runsc made without its
// systemd-cgroup option: no pod limit is above it.
func TestForCgroupLiteralSandbox(t *testing.T) {
	outside := forCgroupWant{
		placement: literalPath, version: 2,
		memory: noMemoryLimit, cpu: noCPULimit,
		codes: []limits.Code{limits.CodeContainerOutsidePod},
	}
	runForCgroupCases(t, []forCgroupCase{
		{name: "absolute path with colons is cgroupfs", tree: literalTree, path: literalPath, want: outside},
		{name: "forced cgroupfs", tree: literalTree, path: literalPath,
			form: limits.FormCgroupfs, want: outside},
	})
}

// TestForPIDLiteralSandbox reads the sandbox from another process.
func TestForPIDLiteralSandbox(t *testing.T) {
	res, err := limits.ForPID(4242, limits.WithRoot(literalTree))
	require.NoError(t, err)
	assertForCgroup(t, res, forCgroupWant{
		placement: literalPath, version: 2,
		memory: noMemoryLimit, cpu: noCPULimit,
		codes: []limits.Code{limits.CodeContainerOutsidePod},
	})

	_, err = limits.ForPID(4243, limits.WithRoot(literalTree))
	require.ErrorIs(t, err, fs.ErrNotExist, "no proc/4243 in the tree")
}

// TestForCgroupPathForm forces a string that looks like the systemd form to
// be read as a cgroupfs path: relative, so on this pure v2 tree below the
// parent of the caller's cgroup (the pause scope's pod slice), where it does
// not exist, instead of the expanded pod scope.
func TestForCgroupPathForm(t *testing.T) {
	path := criContainerd(v2PodSlice, newContainerID)

	auto, err := limits.ForCgroup(path, limits.FormAuto, limits.WithRoot(v2LeafMaxTree))
	require.NoError(t, err)
	assertForCgroup(t, auto, forCgroupWant{placement: v2PodPath, version: 2, memory: v2PodMemory, cpu: v2PodCPU,
		codes: []limits.Code{limits.CodeCgroupNotCreated}})

	forced, err := limits.ForCgroup(path, limits.FormCgroupfs, limits.WithRoot(v2LeafMaxTree))
	require.NoError(t, err)
	assertForCgroup(t, forced, forCgroupWant{placement: v2PodPath, version: 2, memory: v2PodMemory, cpu: v2PodCPU,
		codes: []limits.Code{limits.CodeCgroupNotCreated}})
	assert.Contains(t, messageOf(forced, limits.CodeCgroupNotCreated), v2PodPath+"/"+path,
		"the not-created message names the relative path joined to the parent of the caller's cgroup")

	// A first field that is not a slice name is no systemd form: FormAuto
	// reads "bad-slice:x:y" as a relative cgroupfs path.
	relative, err := limits.ForCgroup("bad-slice:x:y", limits.FormAuto, limits.WithRoot(v2LeafMaxTree))
	require.NoError(t, err)
	assertForCgroup(t, relative, forCgroupWant{placement: v2PodPath, version: 2, memory: v2PodMemory, cpu: v2PodCPU,
		codes: []limits.Code{limits.CodeCgroupNotCreated}})
}

func messageOf(res limits.Result, code limits.Code) string {
	for _, d := range res.Diagnostics {
		if d.Code == code {
			return d.Message
		}
	}
	return ""
}

// TestForCgroupRelative resolves relative paths against the caller's own
// cgroup in each hierarchy of a v1 tree and against its parent on a pure v2
// tree (proc/self/cgroup of the tree); TestForCgroupRelativePerHost has the
// rule for each kind of host.
func TestForCgroupRelative(t *testing.T) {
	// A v1 copy of the pause scope with a child cgroup made by a nested
	// runtime: 256 MiB in the memory hierarchy, no quota of its own.
	nested := treetest.Copy(t, v1LeafUnlimitedTree)
	for dir, files := range map[string]map[string]string{
		"memory": {
			"memory.limit_in_bytes": "268435456\n",
			"memory.use_hierarchy":  "1\n",
		},
		"cpu,cpuacct": {"cpu.cfs_quota_us": "-1\n", "cpu.cfs_period_us": "100000\n", "cpu.shares": "1024\n"},
		"cpuset":      {"cpuset.cpus": "0-3\n", "cpuset.effective_cpus": "0-3\n", "cpuset.mems": "0\n"},
		"pids":        {"pids.max": "max\n"},
	} {
		child := filepath.Join(nested, "sys/fs/cgroup", dir, v1PausePath, "sandbox")
		require.NoError(t, os.MkdirAll(child, 0o755))
		for name, content := range files {
			require.NoError(t, os.WriteFile(filepath.Join(child, name), []byte(content), 0o644))
		}
	}
	sandbox := v1PausePath + "/sandbox"
	sandboxMemory := limits.Limit{State: limits.Limited, Value: 256 << 20, Source: sandbox}

	runForCgroupCases(t, []forCgroupCase{
		{name: "v1 existing child", tree: nested, path: "sandbox",
			want: forCgroupWant{placement: sandbox, version: 1, memory: sandboxMemory, cpu: v1PodCPU,
				codes: []limits.Code{limits.CodeLimitInAncestor}}},
		{name: "v1 existing child, trailing slash", tree: nested, path: "sandbox/",
			want: forCgroupWant{placement: sandbox, version: 1, memory: sandboxMemory, cpu: v1PodCPU,
				codes: []limits.Code{limits.CodeLimitInAncestor}}},
		{name: "v1 below the existing child", tree: nested, path: "sandbox/workload",
			want: forCgroupWant{placement: sandbox, version: 1, memory: sandboxMemory, cpu: v1PodCPU,
				codes: []limits.Code{limits.CodeCgroupNotCreated, limits.CodeLimitInAncestor}}},
		{name: "v1 forced cgroupfs", tree: nested, path: "sandbox",
			form: limits.FormCgroupfs,
			want: forCgroupWant{placement: sandbox, version: 1, memory: sandboxMemory, cpu: v1PodCPU,
				codes: []limits.Code{limits.CodeLimitInAncestor}}},
		{name: "v2 child of the pod not created", tree: v2LeafMaxTree, path: "sandbox",
			want: forCgroupWant{placement: v2PodPath, version: 2, memory: v2PodMemory, cpu: v2PodCPU,
				codes: []limits.Code{limits.CodeCgroupNotCreated}}},
		{name: "v2 the caller's own cgroup, named below its parent", tree: v2LeafMaxTree, path: "cri-containerd-" + v2PauseID + ".scope",
			want: forCgroupWant{placement: v2PausePath, version: 2, memory: v2PodMemory, cpu: v2PodCPU,
				codes: []limits.Code{limits.CodeLimitInAncestor}}},
		{name: "absolute root", tree: v2LeafMaxTree, path: "/",
			want: forCgroupWant{placement: "/", version: 2, memory: noMemoryLimit, cpu: noCPULimit,
				codes: []limits.Code{}}},
	})
}

// TestForCgroupRejectsPath covers the paths ForCgroup must refuse without
// reading anything: traversal, NUL, empty, and systemd forms that do not
// expand.
func TestForCgroupRejectsPath(t *testing.T) {
	cases := []struct {
		name  string
		path  string
		form  limits.PathForm
		cause error // the systemd package's error underneath, if any
	}{
		{name: "dot-dot relative", path: "../x"},
		{name: "dot-dot alone", path: ".."},
		{name: "dot-dot absolute", path: "/a/../../b"},
		{name: "dot-dot at the end", path: "/kubepods.slice/.."},
		{name: "dot component", path: "a/./b"},
		{name: "dot alone", path: "."},
		{name: "empty", path: ""},
		{name: "NUL byte", path: "x\x00y"},
		{name: "NUL in systemd form", path: "kubepods.slice:cri-containerd:ab\x00cd"},
		{name: "dot-dot forced cgroupfs", path: "../" + v2PodSlice, form: limits.FormCgroupfs},
		{name: "slice without .slice forced systemd", path: "bad-slice:x:y",
			form: limits.FormSystemd, cause: systemd.ErrInvalidSlice},
		{name: "double dash slice", path: "kubepods--x.slice:p:n", cause: systemd.ErrInvalidSlice},
		{name: "leading dash slice", path: "-kubepods.slice:p:n", cause: systemd.ErrInvalidSlice},
		{name: "traversal in the unit name", path: "system.slice:docker:../../etc", cause: systemd.ErrInvalidName},
		{name: "cgroupfs path forced systemd", path: v2PausePath,
			form: limits.FormSystemd, cause: systemd.ErrInvalidCgroupsPath},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := limits.ForCgroup(tc.path, tc.form, limits.WithRoot(v2LeafMaxTree))
			assertInvalidPath(t, res, err, tc.path)
			if tc.cause != nil {
				assert.ErrorIs(t, err, tc.cause)
			}
		})
	}
}

func assertInvalidPath(t *testing.T, res limits.Result, err error, path string) {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, limits.ErrInvalidCgroupPath)
	var pathErr *limits.CgroupPathError
	if assert.True(t, errors.As(err, &pathErr), "%T is not a *limits.CgroupPathError", err) {
		assert.Equal(t, path, pathErr.Path)
		assert.NotEmpty(t, pathErr.Reason)
	}
	assert.Equal(t, limits.Result{}, res, "no result with an error")
}

// TestForCgroupRejectsSymlinkOut plants a symlink inside a copy of the
// cgroup mount that leads out of it: a cgroup filesystem has none, and a path
// through it must not be read.
func TestForCgroupRejectsSymlinkOut(t *testing.T) {
	root := treetest.Copy(t, v2LeafMaxTree)
	outside := t.TempDir()
	for name, content := range map[string]string{
		"cgroup.controllers": "cpuset cpu io memory pids\n",
		"memory.max":         "4096\n",
		"cpu.max":            "1000 100000\n",
	} {
		require.NoError(t, os.WriteFile(filepath.Join(outside, name), []byte(content), 0o644))
	}
	require.NoError(t, os.Mkdir(filepath.Join(outside, "inner"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(outside, "inner", "cgroup.controllers"), []byte("memory\n"), 0o644))

	podDir := filepath.Join(root, "sys/fs/cgroup", v2PodPath)
	require.NoError(t, os.Symlink(outside, filepath.Join(podDir, "escape")))
	rel, err := filepath.Rel(podDir, outside)
	require.NoError(t, err)
	require.NoError(t, os.Symlink(rel, filepath.Join(podDir, "escape-relative")))
	// Dangling: its target outside the mount does not exist (yet).
	require.NoError(t, os.Symlink(filepath.Join(outside, "later"), filepath.Join(podDir, "escape-dangling")))

	for _, below := range []string{
		"escape",
		"escape-relative",
		"escape/inner",
		"escape/not-created-yet",
		"escape/inner/deeper",
		"escape-dangling",
		"escape-dangling/child",
	} {
		t.Run(below, func(t *testing.T) {
			path := v2PodPath + "/" + below
			res, err := limits.ForCgroup(path, limits.FormAuto, limits.WithRoot(root))
			assertInvalidPath(t, res, err, path)
		})
	}

	// The copy itself is sound: the pod's own cgroup still answers.
	res, err := limits.ForCgroup(v2PausePath, limits.FormAuto, limits.WithRoot(root))
	require.NoError(t, err)
	assert.Equal(t, v2PodMemory, res.Memory.Limit)
}

// TestForCgroupVanishesWhileLocated removes the cgroup asked for between
// ForCgroup's Lstat and its resolution of the directory, as a runtime that
// removes and recreates a container's cgroup does: the path is valid, so the
// answer is its parent with cgroup-not-created, never an invalid path. A
// directory replaced in that moment by a symlink out of the mount is still
// refused.
func TestForCgroupVanishesWhileLocated(t *testing.T) {
	root := treetest.Copy(t, v2LeafMaxTree)
	pauseDir := filepath.Join(root, "sys/fs/cgroup", v2PausePath)
	removed := false
	stop := limits.AfterLstat(func(dir string) {
		if dir == pauseDir && !removed {
			removed = true
			require.NoError(t, os.RemoveAll(pauseDir))
		}
	})
	res, err := limits.ForCgroup(v2PausePath, limits.FormAuto, limits.WithRoot(root))
	stop()
	require.NoError(t, err)
	require.True(t, removed)
	assertForCgroup(t, res, forCgroupWant{placement: v2PodPath, version: 2, memory: v2PodMemory, cpu: v2PodCPU,
		codes: []limits.Code{limits.CodeCgroupNotCreated}})
	assert.Contains(t, messageOf(res, limits.CodeCgroupNotCreated), v2PausePath)

	root = treetest.Copy(t, v2LeafMaxTree)
	pauseDir = filepath.Join(root, "sys/fs/cgroup", v2PausePath)
	outside := t.TempDir()
	removed = false
	stop = limits.AfterLstat(func(dir string) {
		if dir == pauseDir && !removed {
			removed = true
			require.NoError(t, os.RemoveAll(pauseDir))
			require.NoError(t, os.Symlink(outside, pauseDir))
		}
	})
	res, err = limits.ForCgroup(v2PausePath, limits.FormAuto, limits.WithRoot(root))
	stop()
	assertInvalidPath(t, res, err, v2PausePath)

	// Gone after it was located, before its files are read: the files it
	// must have are missing, which is said, and no value is made up.
	root = treetest.Copy(t, v2LeafMaxTree)
	pauseDir = filepath.Join(root, "sys/fs/cgroup", v2PausePath)
	removed = false
	stop = limits.TraceReads(func(p []byte) {
		if !removed && strings.HasPrefix(string(p), pauseDir+"/") {
			removed = true
			require.NoError(t, os.RemoveAll(pauseDir))
		}
	})
	res, err = limits.ForCgroup(v2PausePath, limits.FormAuto, limits.WithRoot(root))
	stop()
	require.NoError(t, err)
	require.True(t, removed)
	assert.Equal(t, limits.Unknown, res.Memory.Limit.State)
	assert.Equal(t, limits.Unknown, res.CPU.Limit.State)
	assert.Equal(t, []limits.Code{limits.CodeReadError}, diagnosticCodes(res), "%+v", res.Diagnostics)
}
