package readfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadAt reads files relative to an open directory with the same bounds
// as Read.
func TestReadAt(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sub", "memory.max"), []byte("max\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "big"), []byte(strings.Repeat("x", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)

	got, err := ReadAt(fd, []byte("sub/memory.max\x00"), nil, 64, AtShortRead, true)
	if err != nil || string(got) != "max\n" {
		t.Errorf("ReadAt(sub/memory.max) = %q, %v", got, err)
	}
	if _, err := ReadAt(fd, []byte("sub/absent\x00"), nil, 64, AtShortRead, true); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v, want fs.ErrNotExist", err)
	}
	if _, err := ReadAt(fd, []byte("big\x00"), make([]byte, 0, 16), 32, AtShortRead, true); !errors.Is(err, ErrTooLarge) {
		t.Errorf("a file over the bound: %v, want ErrTooLarge", err)
	}
	if _, err := ReadAt(fd, []byte("sub/memory.max"), nil, 64, AtShortRead, true); err == nil {
		t.Error("a path without its NUL byte was read")
	}
}
