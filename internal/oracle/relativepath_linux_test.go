package oracle

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"
	"testing"

	opencgroups "github.com/opencontainers/cgroups"
	ocfs "github.com/opencontainers/cgroups/fs"
	"github.com/opencontainers/cgroups/fs2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/cgtest"
	"github.com/truelimit/truelimit/internal/treetest"
	"github.com/truelimit/truelimit/limits"
)

// The cgroupsPaths each caller asks runc and ForCgroup about: the relative
// one of runc's TestDefaultDirPath (fs2/defaultpath_test.go), a one-level
// one, and its absolute one, which no rule changes.
var runcPaths = []string{"foo/bar", "sandbox", "/foo/bar"}

// runcFs2Dirs is what the helper prints: the caller's "0::" path and, for
// each of runcPaths, the directory of runc's cgroup v2 manager.
type runcFs2Dirs struct {
	Own  string            `json:"own"`
	Dirs map[string]string `json:"dirs"`
}

// askRuncFs2 resolves runcPaths with the public fs2.NewManager(config, ""),
// which takes the directory from fs2's defaultDirPath: an absolute path
// under /sys/fs/cgroup, a relative one under the parent of the caller's
// "0::" cgroup read from /proc/self/cgroup. It creates nothing.
func askRuncFs2() (runcFs2Dirs, error) {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return runcFs2Dirs{}, err
	}
	out := runcFs2Dirs{Dirs: map[string]string{}}
	for line := range strings.Lines(string(data)) {
		if p, ok := strings.CutPrefix(strings.TrimSpace(line), "0::"); ok {
			out.Own = p
		}
	}
	for _, p := range runcPaths {
		m, err := fs2.NewManager(&opencgroups.Cgroup{Path: p, Resources: &opencgroups.Resources{}}, "")
		if err != nil {
			return runcFs2Dirs{}, fmt.Errorf("fs2.NewManager(%q): %w", p, err)
		}
		out.Dirs[p] = m.Path("")
	}
	return out, nil
}

// pureV2Tree writes a pure v2 host whose caller is in own: the cgroup2 mount
// at runc's fs2.UnifiedMountpoint, and a cgroup at each of dirs (absolute,
// under that mount) and at own joined with each relative path (where a
// join to the caller's own cgroup would land).
func pureV2Tree(t *testing.T, own string, dirs []string) string {
	t.Helper()
	files := map[string]string{
		"proc/self/mountinfo": "26 22 0:24 / " + fs2.UnifiedMountpoint + " rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n",
		"proc/self/cgroup":    "0::" + own + "\n",
	}
	for _, d := range dirs {
		files[strings.TrimPrefix(d, "/")+"/cgroup.controllers"] = "cpu memory pids\n"
	}
	for _, p := range runcPaths {
		if !strings.HasPrefix(p, "/") {
			files[strings.TrimPrefix(path.Join(fs2.UnifiedMountpoint, own, p), "/")+"/cgroup.controllers"] = "cpu memory pids\n"
		}
	}
	return treetest.Write(t, files)
}

// TestRelativeCgroupfsPathOnV2AgreesWithRunc asks runc's cgroup v2 manager
// (opencontainers/cgroups fs2) where a cgroupsPath goes, from callers at
// several cgroups, and ForCgroup the same about a pure v2 host with the
// caller's "0::" line: both must name the same directory, and ForCgroup must
// find it there (not an ancestor, not the join to the caller's own cgroup).
// The callers: this test process, and a helper started in a cgroup2 group
// and in <group>/user.slice/user-1000.slice/session-1.scope, the caller of
// runc's TestDefaultDirPath, which expects <mount>/user.slice/user-1000.slice/foo/bar.
// fs2 reads the live /proc/self/cgroup whatever the host's mode, so this
// runs on a hybrid host too; the helpers need root and a writable cgroup2
// mount.
func TestRelativeCgroupfsPathOnV2AgreesWithRunc(t *testing.T) {
	if cgtest.IsHelper(t) {
		out, err := askRuncFs2()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		_ = json.NewEncoder(os.Stdout).Encode(out)
		return
	}
	check := func(t *testing.T, runc runcFs2Dirs) {
		require.NotEmpty(t, runc.Own)
		var dirs []string
		for _, p := range runcPaths {
			dirs = append(dirs, runc.Dirs[p])
		}
		tree := pureV2Tree(t, runc.Own, dirs)
		for _, p := range runcPaths {
			res, err := limits.ForCgroup(p, limits.FormCgroupfs, limits.WithRoot(tree))
			require.NoError(t, err, p)
			mem, ok := res.Placement("memory")
			require.True(t, ok, "%s: %+v", p, res.Diagnostics)
			assert.Equal(t, runc.Dirs[p], mem.Dir(), "%s from a caller in %s", p, runc.Own)
			assert.False(t, res.Has(limits.CodeCgroupNotCreated), "%s: %+v", p, res.Diagnostics)
		}
	}

	t.Run("this process", func(t *testing.T) {
		runc, err := askRuncFs2()
		if err != nil {
			t.Skipf("runc's fs2 cannot place a path from here: %v", err)
		}
		check(t, runc)
	})
	t.Run("helpers", func(t *testing.T) {
		g := cgtest.NewUnified(t)
		session := g.Child(t, "user.slice").Child(t, "user-1000.slice").Child(t, "session-1.scope")
		for _, in := range []*cgtest.Group{g, session} {
			cmd := cgtest.HelperCommand(t, in, "TestRelativeCgroupfsPathOnV2AgreesWithRunc")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			require.NoError(t, cmd.Run(), "stderr:\n%s", &stderr)
			var runc runcFs2Dirs
			require.NoError(t, json.NewDecoder(&stdout).Decode(&runc), "stdout:\n%s", stdout.String())
			require.Equal(t, in.Path(cgtest.Unified), runc.Own, "the helper runs in its group")
			if in == session {
				// TestDefaultDirPath's expectation, below our group.
				assert.Equal(t, fs2.UnifiedMountpoint+g.Path(cgtest.Unified)+"/user.slice/user-1000.slice/foo/bar", runc.Dirs["foo/bar"])
			}
			check(t, runc)
		}
	})
}

// runcFsPaths is what the v1 helper prints: its /proc/self/cgroup and the
// directories of runc's cgroup v1 manager for a relative path, by subsystem
// ("" is the unified hierarchy of a hybrid host).
type runcFsPaths struct {
	ProcCgroup string            `json:"proc_cgroup"`
	Paths      map[string]string `json:"paths"`
}

// askRuncFs resolves rel with the public fs.NewManager(config, nil), which
// computes every subsystem's directory (cgroups.GetOwnCgroupPath joined with
// rel for a relative path) without creating it.
func askRuncFs(rel string) (runcFsPaths, error) {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return runcFsPaths{}, err
	}
	m, err := ocfs.NewManager(&opencgroups.Cgroup{Path: rel, Resources: &opencgroups.Resources{}}, nil)
	if err != nil {
		return runcFsPaths{}, err
	}
	return runcFsPaths{ProcCgroup: string(data), Paths: m.GetPaths()}, nil
}

// helperRelEnv passes the relative path to the v1 helper.
const helperRelEnv = "TRUELIMIT_ORACLE_REL"

// TestRelativeCgroupfsPathOnV1AgreesWithRunc asks runc's cgroup v1 manager
// (opencontainers/cgroups fs) and ForCgroup on this v1 or hybrid host where
// a relative cgroupsPath goes: below the caller's own cgroup in each
// hierarchy. The group is created first in the memory, cpu, cpuset and pids
// hierarchies, so ForCgroup finds it in each. On a hybrid host runc also
// joins the unified hierarchy, at its mount point (GetOwnCgroupPath("") is
// /sys/fs/cgroup/unified), not below the caller's "0::" cgroup. This
// process's "0::" cgroup here is the root, where the two agree, and no
// controller is on cgroup2 on this project's host; so that directory is
// compared for a helper started in a cgroup2 group two levels down, on a
// copy of this host's mounts without the v1 memory hierarchy (as with
// cgroup_no_v1=memory), where memory is on cgroup2.
func TestRelativeCgroupfsPathOnV1AgreesWithRunc(t *testing.T) {
	if cgtest.IsHelper(t) {
		out, err := askRuncFs(os.Getenv(helperRelEnv))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		_ = json.NewEncoder(os.Stdout).Encode(out)
		return
	}
	if opencgroups.IsCgroup2UnifiedMode() {
		t.Skip("a pure v2 host: runc uses its fs2 manager")
	}
	controllers := []string{"memory", "cpu", "cpuset", "pids"}
	g := cgtest.New(t, controllers...)
	rel := path.Base(g.Path("memory"))
	runc, err := askRuncFs(rel)
	require.NoError(t, err)

	res, err := limits.ForCgroup(rel, limits.FormCgroupfs)
	require.NoError(t, err)
	assert.Contains(t, []cgroup.Mode{cgroup.ModeV1, cgroup.ModeHybrid}, res.Mode)
	for _, c := range controllers {
		p, ok := res.Placement(c)
		if assert.True(t, ok, "%s: %+v", c, res.Diagnostics) {
			assert.Equal(t, runc.Paths[c], p.Dir(), c)
			assert.Equal(t, g.Dir(c), p.Dir(), c)
		}
	}
	assert.False(t, res.Has(limits.CodeCgroupNotCreated), "%+v", res.Diagnostics)

	t.Run("unified hierarchy of a hybrid host", func(t *testing.T) {
		if _, ok := runc.Paths[""]; !ok {
			t.Skip("not a hybrid host: runc joins no unified hierarchy")
		}
		inner := cgtest.NewUnified(t).Child(t, "a").Child(t, "b")
		cmd := cgtest.HelperCommand(t, inner, "TestRelativeCgroupfsPathOnV1AgreesWithRunc", helperRelEnv+"="+rel)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		require.NoError(t, cmd.Run(), "stderr:\n%s", &stderr)
		var helper runcFsPaths
		require.NoError(t, json.NewDecoder(&stdout).Decode(&helper), "stdout:\n%s", stdout.String())
		require.Contains(t, helper.ProcCgroup, "0::"+inner.Path(cgtest.Unified)+"\n", "the helper runs in its group")
		unified := helper.Paths[""]
		require.NotEmpty(t, unified)

		mountinfo, err := os.ReadFile("/proc/self/mountinfo")
		require.NoError(t, err)
		// The cgroup mounts but the v1 memory one, each mount point a
		// directory of the tree; runc's directory; and a decoy where a join
		// to the helper's own cgroup would land.
		files := map[string]string{
			"proc/self/cgroup": helper.ProcCgroup,
			strings.TrimPrefix(unified, "/") + "/cgroup.controllers":                           "memory\n",
			strings.TrimPrefix(inner.Dir(cgtest.Unified)+"/"+rel, "/") + "/cgroup.controllers": "memory\n",
		}
		var kept []string
		for line := range strings.Lines(string(mountinfo)) {
			pre, post, _ := strings.Cut(line, " - ")
			fields, tail := strings.Fields(pre), strings.Fields(post)
			if len(fields) < 5 || len(tail) != 3 || (tail[0] != "cgroup" && tail[0] != "cgroup2") ||
				slices.Contains(strings.Split(tail[2], ","), "memory") {
				continue
			}
			kept = append(kept, line)
			if _, ok := files[strings.TrimPrefix(fields[4], "/")]; !ok {
				files[strings.TrimPrefix(fields[4], "/")] = treetest.Dir
			}
		}
		files["proc/self/mountinfo"] = strings.Join(kept, "")
		tree := treetest.Write(t, files)
		res, err := limits.ForCgroup(rel, limits.FormCgroupfs, limits.WithRoot(tree))
		require.NoError(t, err)
		assert.Equal(t, cgroup.ModeHybrid, res.Mode)
		mem, ok := res.Placement("memory")
		require.True(t, ok, "%+v", res.Diagnostics)
		assert.Equal(t, cgroup.V2, mem.Version)
		mountPoint := strings.TrimSuffix(inner.Dir(cgtest.Unified), inner.Path(cgtest.Unified))
		assert.Equal(t, mountPoint+"/"+rel, unified, "runc joins the unified hierarchy at its mount point")
		// Found there, not at an ancestor (the v1 hierarchies of the copy
		// have no such cgroup: cgroup-not-created for those).
		assert.Equal(t, unified, mem.Dir(), "%+v", res.Diagnostics)
	})
}
