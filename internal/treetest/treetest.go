// Package treetest writes small cgroup trees for tests: the files a
// detection reads, under a temporary root given to limits.WithRoot.
package treetest

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// Dir as a file's content makes an empty directory instead of a file (and,
// read as a file, a directory fails with EISDIR).
const Dir = "<dir>"

// Write creates files (path relative to the root: content) under a new
// temporary directory, removed when t ends, and returns that root.
func Write(t testing.TB, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for path, content := range files {
		full := filepath.Join(root, path)
		if content == Dir {
			if err := os.MkdirAll(full, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// Copy copies the tree at src into a new temporary directory, removed when
// t ends, keeping its symlinks (v1 cpu -> cpu,cpuacct), so that a test can
// change it, and returns the copy.
func Copy(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}
