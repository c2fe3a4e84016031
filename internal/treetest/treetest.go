// Package treetest writes small cgroup trees for tests: the files a
// detection reads, under a temporary root given to limits.WithRoot.
package treetest

import (
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
