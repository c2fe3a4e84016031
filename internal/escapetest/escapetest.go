//go:build linux

// Package escapetest builds copies of a testdata tree in which a limit file
// or a cgroup directory leads out of the root, or is a FIFO, for the tests
// that check every read under a root stays beneath it (issue 11, item 1).
// Outside the root lies Outside as every value: a test asserts it never
// appears in what it prints.
package escapetest

import (
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/truelimit/truelimit/internal/treetest"
)

// Outside is the value of every limit file outside the root.
const Outside = "424242424242"

// Case is one copy of a tree with an escape planted in it.
type Case struct {
	Name string
	Root string // the copy, for WithRoot
	// Leaf is the process's cgroup (its 0:: line); Legit says the links
	// planted stay inside the root, so the answer must equal the original
	// tree's; DirLink says a cgroup directory on the leaf's path is a link,
	// which ForCgroup refuses.
	Leaf    string
	Legit   bool
	DirLink bool
}

// outsideDir writes a directory outside any root that looks like a cgroup
// holding Outside as every limit, with a child cgroup of the leaf's name.
func outsideDir(t testing.TB, child string) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Join(dir, child)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, content := range map[string]string{
			"cgroup.controllers":    "cpuset cpu io memory pids\n",
			"memory.max":            Outside + "\n",
			"memory.high":           Outside + "\n",
			"pids.max":              Outside + "\n",
			"cpu.max":               Outside + " 100000\n",
			"cpuset.cpus.effective": "0-4242\n",
		} {
			if err := os.WriteFile(filepath.Join(d, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// leafOf reads the 0:: line of the tree's proc/self/cgroup.
func leafOf(t testing.TB, root string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "proc/self/cgroup"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if p, ok := strings.CutPrefix(line, "0::"); ok {
			return p
		}
	}
	t.Fatal("no 0:: line")
	return ""
}

// relTo returns a relative link target from the directory dir (inside the
// tree) to target, with enough ".." to leave the tree.
func relTo(t testing.TB, dir, target string) string {
	t.Helper()
	rel, err := filepath.Rel(dir, target)
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

// Cases copies the v2 tree src (a testdata directory whose cgroup2 mount is
// /sys/fs/cgroup) once per escape and returns the copies.
func Cases(t testing.TB, src string) []Case {
	t.Helper()
	var cases []Case
	add := func(name string, legit, dirLink bool, plant func(root, leafDir string)) {
		root := treetest.Copy(t, src)
		leaf := leafOf(t, root)
		plant(root, filepath.Join(root, "sys/fs/cgroup", leaf))
		cases = append(cases, Case{Name: name, Root: root, Leaf: leaf, Legit: legit, DirLink: dirLink})
	}
	symlink := func(target, at string) {
		if err := os.RemoveAll(at); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, at); err != nil {
			t.Fatal(err)
		}
	}
	add("file-link-relative", false, false, func(root, leafDir string) {
		out := outsideDir(t, "x")
		for _, f := range []string{"pids.max", "memory.max", "cpu.max", "memory.high"} {
			symlink(relTo(t, leafDir, filepath.Join(out, f)), filepath.Join(leafDir, f))
		}
	})
	add("file-link-absolute-host-path", false, false, func(root, leafDir string) {
		out := outsideDir(t, "x")
		for _, f := range []string{"pids.max", "memory.max", "cpu.max"} {
			symlink(filepath.Join(out, f), filepath.Join(leafDir, f))
		}
	})
	add("leaf-directory-link", false, true, func(root, leafDir string) {
		out := outsideDir(t, "x")
		symlink(relTo(t, filepath.Dir(leafDir), out), leafDir)
	})
	add("middle-directory-link", false, true, func(root, leafDir string) {
		out := outsideDir(t, filepath.Base(leafDir))
		symlink(out, filepath.Dir(leafDir))
	})
	add("proc-link", false, false, func(root, leafDir string) {
		out := outsideDir(t, "x")
		symlink(filepath.Join(out, "memory.max"), filepath.Join(root, "proc/meminfo"))
	})
	// Legitimate: absolute links that name paths inside the root, as a host
	// root mounted at /host holds them. They resolve inside the root.
	add("absolute-link-inside-root", true, false, func(root, leafDir string) {
		for _, f := range []string{"memory.max", "pids.max"} {
			real := filepath.Join(leafDir, f+".real")
			if err := os.Rename(filepath.Join(leafDir, f), real); err != nil {
				t.Fatal(err)
			}
			symlink("/"+relTo(t, root, real), filepath.Join(leafDir, f))
		}
	})
	add("absolute-mount-point-link-inside-root", true, false, func(root, leafDir string) {
		mnt := filepath.Join(root, "sys/fs/cgroup")
		if err := os.Rename(mnt, mnt+",real"); err != nil {
			t.Fatal(err)
		}
		symlink("/sys/fs/cgroup,real", mnt)
	})
	add("fifo", false, false, func(root, leafDir string) {
		for _, p := range []string{filepath.Join(leafDir, "memory.max"), filepath.Join(filepath.Dir(leafDir), "cpu.max"), filepath.Join(root, "proc/meminfo")} {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	})
	return cases
}

// Random copies src and replaces n random entries below its cgroup mount
// and /proc with a link out of the root (relative or absolute), a link
// inside it (relative or absolute), or a FIFO.
func Random(t testing.TB, src string, rng *rand.Rand, n int) string {
	t.Helper()
	root := treetest.Copy(t, src)
	out := outsideDir(t, "x")
	var entries []string
	for _, top := range []string{"sys/fs/cgroup", "proc"} {
		_ = filepath.WalkDir(filepath.Join(root, top), func(p string, d fs.DirEntry, err error) error {
			if err == nil && p != filepath.Join(root, top) {
				entries = append(entries, p)
			}
			return nil
		})
	}
	for range n {
		at := entries[rng.IntN(len(entries))]
		if _, err := os.Lstat(at); err != nil {
			continue // under an entry replaced before
		}
		var target string
		switch rng.IntN(5) {
		case 0:
			target = relTo(t, filepath.Dir(at), filepath.Join(out, filepath.Base(at)))
		case 1:
			target = filepath.Join(out, "x", filepath.Base(at))
		case 2:
			target = relTo(t, filepath.Dir(at), entries[rng.IntN(len(entries))])
		case 3:
			target = "/" + relTo(t, root, entries[rng.IntN(len(entries))])
		case 4:
			if err := os.RemoveAll(at); err != nil {
				t.Fatal(err)
			}
			if err := syscall.Mkfifo(at, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.RemoveAll(at); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, at); err != nil {
			t.Fatal(err)
		}
	}
	return root
}
