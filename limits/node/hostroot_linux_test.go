//go:build linux

package node_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/node"
)

const hostRootHelperEnv = "TRUELIMIT_HOSTROOT_HELPER"

// hostAnswer is what the comparison of two scans of this host looks at:
// the mode, the hierarchies, and the own and effective limits of "/" and of the test
// process's own memory cgroup and its parent (other cgroups come and go on
// a shared machine).
func hostAnswer(t testing.TB, tree *node.Tree, paths []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "mode %s\n", tree.Mode)
	for _, h := range tree.Hierarchies {
		fmt.Fprintf(&b, "hierarchy %+v\n", h)
	}
	for _, p := range paths {
		cg := tree.Lookup(p)
		if cg == nil {
			fmt.Fprintf(&b, "%s: none\n", p)
			continue
		}
		fmt.Fprintf(&b, "%s: own %+v effective %+v absent %v\n", p, cg.Own, cg.Effective, cg.Absent)
	}
	return b.String()
}

// memoryPaths are "/", the memory cgroup of this process and its parent.
func memoryPaths(t testing.TB) []string {
	data, err := os.ReadFile("/proc/self/cgroup")
	require.NoError(t, err)
	paths := []string{"/"}
	for line := range strings.Lines(string(data)) {
		if _, rest, ok := strings.Cut(strings.TrimSpace(line), ":memory:"); ok && rest != "/" {
			paths = append(paths, filepath.Dir(rest), rest)
		}
	}
	return paths
}

// TestScanHostRootRealKernel scans this host with WithHostRoot: at "/", and
// from a private mount and cgroup namespace (unshare(1), as a container
// runtime makes them) in which the host's /sys/fs/cgroup and /proc are
// bind-mounted under a directory R, read-only. In that namespace the
// reader's own mountinfo prints the memory hierarchy's root as "/.." (its
// cgroup namespace starts at the test's memory cgroup): a scan of R from
// that mountinfo cannot place the host's cgroups, while WithHostRoot(R),
// which finds the hierarchies by statfs under R/sys/fs/cgroup, must answer
// exactly as Scan does on the host.
func TestScanHostRootRealKernel(t *testing.T) {
	if os.Getenv(hostRootHelperEnv) != "" {
		hostRootHelper(t)
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root for mount and cgroup namespaces")
	}
	paths := memoryPaths(t)
	host, err := node.Scan()
	require.NoError(t, err)
	detected, err := limits.Detect()
	require.NoError(t, err)
	require.Equal(t, detected.Mode, host.Mode, "Scan tells the mode limits.Detect tells (this host: hybrid)")
	want := hostAnswer(t, host, paths)

	atSlash, err := node.Scan(node.WithHostRoot("/"))
	require.NoError(t, err)
	assert.Equal(t, want, hostAnswer(t, atSlash, paths), "WithHostRoot(\"/\") on the host")

	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("no unshare(1):", err)
	}
	cmd := exec.Command("unshare", "--mount", "--cgroup", "--propagation", "private", os.Args[0],
		"-test.run=^TestScanHostRootRealKernel$", "-test.count=1")
	cmd.Env = append(os.Environ(), hostRootHelperEnv+"="+t.TempDir(), "TRUELIMIT_HOSTROOT_PATHS="+strings.Join(paths, ","))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	got, _, ok := strings.Cut(string(out), "\n--\n")
	require.True(t, ok, "%s", out)
	_, mountinfoView, _ := strings.Cut(string(out), "\n--\n")
	assert.Equal(t, want, strings.TrimPrefix(got, "helper\n"), "WithHostRoot(R) in a private cgroup namespace")
	if len(paths) > 1 {
		assert.Contains(t, mountinfoView, "/..", "the namespace's own mountinfo prints the memory hierarchy's root outside it")
	}
}

// hostRootHelper runs in the private namespaces: it bind-mounts the host's
// /sys/fs/cgroup (recursively) and /proc under R, read-only, scans R with
// WithHostRoot and prints the answer, "--", and the cgroup lines of its
// own mountinfo.
func hostRootHelper(t *testing.T) {
	r := os.Getenv(hostRootHelperEnv)
	for _, m := range []struct{ src, dst string }{{"/sys/fs/cgroup", "sys/fs/cgroup"}, {"/proc", "proc"}} {
		dst := filepath.Join(r, m.dst)
		require.NoError(t, os.MkdirAll(dst, 0o755))
		out, err := exec.Command("mount", "--rbind", "-o", "ro", m.src, dst).CombinedOutput()
		require.NoError(t, err, "%s", out)
		// A recursive bind keeps each submount's flags: remount the
		// hierarchies below too.
		mounts := []string{dst}
		if entries, err := os.ReadDir(dst); err == nil && m.dst != "proc" {
			for _, e := range entries {
				if e.IsDir() {
					mounts = append(mounts, filepath.Join(dst, e.Name()))
				}
			}
		}
		for _, mp := range mounts {
			out, err = exec.Command("mount", "-o", "remount,bind,ro", mp).CombinedOutput()
			require.NoError(t, err, "%s", out)
		}
		for _, mp := range mounts {
			var st unix.Statfs_t
			require.NoError(t, unix.Statfs(mp, &st))
			require.NotZero(t, st.Flags&unix.ST_RDONLY, "%s is mounted read-only", mp)
		}
	}
	tree, err := node.Scan(node.WithHostRoot(r))
	require.NoError(t, err)
	fmt.Print("helper\n" + hostAnswer(t, tree, strings.Split(os.Getenv("TRUELIMIT_HOSTROOT_PATHS"), ",")) + "\n--\n")
	f, err := os.Open("/proc/self/mountinfo")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.Contains(sc.Text(), " - cgroup") {
			fmt.Println(sc.Text())
		}
	}
}

// TestScanHostRootNeedsCgroupFilesystems: a captured tree is plain files,
// whose directories statfs(2) tells apart from cgroup filesystems, so
// WithHostRoot finds no hierarchy in it, never one a mountinfo in it names.
func TestScanHostRootNeedsCgroupFilesystems(t *testing.T) {
	tree, err := node.Scan(node.WithHostRoot("../../testdata/v2-k8s-systemd-pod-limit-leaf-max"))
	require.NoError(t, err)
	assert.Empty(t, tree.Cgroups)
	assert.Equal(t, cgroup.ModeNone, tree.Mode)
	require.Len(t, tree.Diagnostics, 1)
	assert.Equal(t, limits.CodeNoCgroup, tree.Diagnostics[0].Code)

	_, err = node.Scan(node.WithHostRoot(t.TempDir()))
	assert.ErrorIs(t, err, os.ErrNotExist, "no sys/fs/cgroup")
}
