package readfile

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestReadlink(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "ns")
	if err := os.Symlink("cgroup:[4026531835]", link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path []byte
		size int
		want string
		err  error
	}{
		{"whole target", append([]byte(link), 0), 64, "cgroup:[4026531835]", nil},
		{"cut at the buffer", append([]byte(link), 0), 6, "cgroup", nil},
		{"missing", append([]byte(filepath.Join(dir, "nope")), 0), 64, "", syscall.ENOENT},
		{"not a link", append([]byte(dir), 0), 64, "", syscall.EINVAL},
		{"no NUL byte", []byte(link), 64, "", syscall.EINVAL},
		{"no buffer", append([]byte(link), 0), 0, "", syscall.EINVAL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Readlink(tt.path, make([]byte, tt.size))
			if !errors.Is(err, tt.err) || string(got) != tt.want {
				t.Fatalf("Readlink = %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestReadlinkDoesNotAllocate(t *testing.T) {
	path := []byte("/proc/self/ns/cgroup\x00")
	allocs := testing.AllocsPerRun(100, func() {
		var buf [64]byte
		_, _ = Readlink(path, buf[:])
	})
	if allocs != 0 {
		t.Fatalf("got %v allocations, want 0", allocs)
	}
}
