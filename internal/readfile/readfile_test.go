package readfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	big := filepath.Join(dir, "big")
	bigContent := strings.Repeat("0123456789abcdef", 1000) // 16000 bytes: several grows
	if err := os.WriteFile(small, []byte("max\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(big, []byte(bigContent), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		path  string
		buf   []byte
		limit int
		want  string
		err   error
	}{
		{"small into nil", small, nil, 1 << 20, "max\n", nil},
		{"small into a used buffer", small, []byte("leftover"), 1 << 20, "max\n", nil},
		{"grows past the first buffer", big, make([]byte, 0, 16), 1 << 20, bigContent, nil},
		{"over the bound", big, nil, 4096, "", ErrTooLarge},
		{"missing", filepath.Join(dir, "nope"), nil, 1 << 20, "", fs.ErrNotExist},
		{"a directory", dir, nil, 1 << 20, "", nil},
	}
	for end, endName := range map[End]string{AtEOF: "AtEOF", AtShortRead: "AtShortRead"} {
		for _, tt := range tests {
			t.Run(tt.name+" "+endName, func(t *testing.T) {
				got, err := Read(append([]byte(tt.path), 0), tt.buf, tt.limit, end)
				if tt.path == dir {
					if err == nil {
						t.Fatal("reading a directory succeeded")
					}
					return
				}
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				if string(got) != tt.want {
					t.Fatalf("got %d bytes %.20q, want %d bytes", len(got), got, len(tt.want))
				}
			})
		}
	}
	if _, err := Read([]byte(small), nil, 1<<20, AtEOF); err == nil {
		t.Fatal("a path without its NUL byte was read")
	}
}

func TestReadDoesNotAllocate(t *testing.T) {
	dir := t.TempDir()
	present := filepath.Join(dir, "memory.max")
	if err := os.WriteFile(present, []byte("max\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	path, missing := append([]byte(present), 0), append([]byte(filepath.Join(dir, "nope")), 0)
	buf := make([]byte, 0, 64)
	allocs := testing.AllocsPerRun(100, func() {
		buf, _ = Read(path, buf, 1<<20, AtShortRead)
		buf, _ = Read(missing, buf, 1<<20, AtEOF)
	})
	if allocs != 0 {
		t.Fatalf("got %v allocations, want 0", allocs)
	}
}

func TestReadReusesTheBuffer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte("50000 100000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 4096)
	got, err := Read(append([]byte(path), 0), buf, 1<<20, AtEOF)
	if err != nil {
		t.Fatal(err)
	}
	if &got[:1][0] != &buf[:1][0] {
		t.Fatal("a file that fits was not read into the caller's buffer")
	}
}

func TestHandleRereadsFromTheStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "memory.max")
	if err := os.WriteFile(path, []byte("max\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	buf := make([]byte, 0, 4)
	for i, want := range []string{"max\n", "268435456\n", "1\n"} {
		if i > 0 {
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := h.ReadInterface(buf, 1<<20)
		if err != nil || string(got) != want {
			t.Fatalf("read %d = %q, %v; want %q", i, got, err, want)
		}
		buf = got
	}
	if err := os.WriteFile(path, []byte("268435456\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := h.ReadInterface(make([]byte, 0, 4), 4); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("a bound below the file size gives %v, want ErrTooLarge", err)
	}
	if h.Path() != path {
		t.Fatalf("Path() = %q", h.Path())
	}
}
