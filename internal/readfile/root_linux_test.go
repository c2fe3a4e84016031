package readfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// containTree writes a root with links inside it and out of it, beside a
// file outside it that must never be read through the root.
func containTree(t *testing.T) (root, outside string) {
	t.Helper()
	base := t.TempDir()
	root, outside = filepath.Join(base, "root"), filepath.Join(base, "outside")
	for _, d := range []string{root + "/sys/fs/cgroup/cpu,cpuacct/pod", root + "/a/b", outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(outside+"/pids.max", "424242424242\n")
	write(root+"/outside-in-root", "inside\n") // where "/outside..." lands beneath the root
	write(root+"/sys/fs/cgroup/cpu,cpuacct/pod/cpu.max", "50000 100000\n")
	write(root+"/a/b/pids.max", "7\n")
	link := func(target, at string) {
		if err := os.Symlink(target, filepath.Join(root, at)); err != nil {
			t.Fatal(err)
		}
	}
	link("/sys/fs/cgroup/cpu,cpuacct", "sys/fs/cgroup/cpu") // absolute, legitimate in the root
	link("cpu,cpuacct", "sys/fs/cgroup/cpuacct")            // relative, in the root
	link("../../../outside/pids.max", "a/b/rel-out")        // relative, out of the root
	link(outside+"/pids.max", "a/b/abs-out")                // absolute host path
	link("../../../outside", "a/out-dir")                   // a directory out of the root
	link("/a/b/pids.max", "a/abs-in")                       // absolute, in the root
	link("loop", "a/loop")                                  // ELOOP
	link("/../../../../a/b/pids.max", "a/b/dotdot-abs")     // ".." above "/" stays at "/"
	if err := syscall.Mkfifo(filepath.Join(root, "a/fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root, outside
}

func TestRootContains(t *testing.T) {
	root, outside := containTree(t)
	tests := []struct {
		path string
		want string
		err  error
	}{
		{"/sys/fs/cgroup/cpu/pod/cpu.max", "50000 100000\n", nil},
		{"/sys/fs/cgroup/cpuacct/pod/cpu.max", "50000 100000\n", nil},
		{"/a/b/pids.max", "7\n", nil},
		{"/a/abs-in", "7\n", nil},
		{"/a/b/dotdot-abs", "7\n", nil},
		{"/a/b/../../a/b/pids.max", "7\n", nil},
		{"/../../../a/b/pids.max", "7\n", nil},
		{"/a/b/rel-out", "", fs.ErrNotExist}, // resolves to <root>/outside/pids.max: absent
		{"/a/b/abs-out", "", fs.ErrNotExist}, // <root><outside>/pids.max
		{"/a/out-dir/pids.max", "", fs.ErrNotExist},
		{"/a/loop", "", syscall.ELOOP},
		{"/a/fifo", "", ErrNotRegular},
		{"/a/b", "", ErrNotRegular},
	}
	for _, walk := range []bool{false, true} {
		restore := SetForceWalk(walk)
		var d Root
		d.Set(root+"/", Contained())
		for _, tt := range tests {
			t.Run(tt.path+map[bool]string{true: " walk", false: " openat2"}[walk], func(t *testing.T) {
				done := make(chan struct{})
				var got []byte
				var err error
				go func() {
					got, err = d.Read(append([]byte(root+tt.path), 0), nil, 1<<20, AtShortRead)
					close(done)
				}()
				select {
				case <-done:
				case <-time.After(10 * time.Second):
					t.Fatal("the read hangs")
				}
				if strings.Contains(string(got), "424242424242") {
					t.Fatalf("read %q from outside the root", got)
				}
				if tt.err == nil && err != nil || tt.err != nil && !errors.Is(err, tt.err) || string(got) != tt.want {
					t.Fatalf("Read = %q, %v; want %q, %v", got, err, tt.want, tt.err)
				}
				if err != nil && !errors.Is(err, fs.ErrNotExist) && !strings.Contains(err.Error(), root) {
					t.Errorf("the error %q does not name the path", err)
				}
			})
		}
		// A kept-open handle is opened the same way.
		if _, err := d.Open(root + "/a/b/rel-out"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open of a link out of the root: %v", err)
		}
		if h, err := d.Open(root + "/a/abs-in"); err != nil {
			t.Errorf("Open of a link in the root: %v", err)
		} else {
			h.Close()
		}
		// DirBelow: the mount point through a link in the root; below it no link.
		if err := d.DirBelow("/sys/fs/cgroup/cpu", "/pod"); err != nil {
			t.Errorf("DirBelow(cpu, /pod) = %v", err)
		}
		if err := d.DirBelow("/sys/fs/cgroup", "/cpu/pod"); !errors.Is(err, ErrSymlink) {
			t.Errorf("DirBelow through a link = %v, want ErrSymlink", err)
		}
		if err := d.DirBelow("/a", "/out-dir"); !errors.Is(err, ErrSymlink) {
			t.Errorf("DirBelow of a link out = %v, want ErrSymlink", err)
		}
		if err := d.DirBelow("/a", "/absent/deeper"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("DirBelow of a missing directory = %v", err)
		}
		if fd, err := d.OpenDir(root + "/sys/fs/cgroup/cpu"); err != nil {
			t.Errorf("OpenDir through a link in the root: %v", err)
		} else {
			syscall.Close(fd)
		}
		if _, err := d.OpenDir(root + "/a/out-dir"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("OpenDir through a link out of the root: %v", err)
		}
		d.Close()
		restore()
	}
	_ = outside
}

// TestReadAtStaysBeneath: ReadAt does not follow a link in the place of the
// file, refuses "..", and with regularOnly reads only a regular file; a FIFO
// never hangs it.
func TestReadAtStaysBeneath(t *testing.T) {
	root, _ := containTree(t)
	fd, err := syscall.Open(filepath.Join(root, "a"), syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if got, err := ReadAt(fd, []byte("b/pids.max\x00"), nil, 64, AtShortRead, true); err != nil || string(got) != "7\n" {
		t.Errorf("b/pids.max = %q, %v", got, err)
	}
	for _, p := range []string{"b/rel-out", "b/abs-out", "abs-in"} {
		if got, err := ReadAt(fd, []byte(p+"\x00"), nil, 64, AtShortRead, true); !errors.Is(err, syscall.ELOOP) {
			t.Errorf("%s = %q, %v; want ELOOP", p, got, err)
		}
	}
	if got, err := ReadAt(fd, []byte("../a/b/pids.max\x00"), nil, 64, AtShortRead, true); !errors.Is(err, syscall.EXDEV) {
		t.Errorf("../a/b/pids.max = %q, %v; want EXDEV", got, err)
	}
	if _, err := ReadAt(fd, []byte("fifo\x00"), nil, 64, AtShortRead, true); !errors.Is(err, ErrNotRegular) {
		t.Errorf("a FIFO: %v, want ErrNotRegular", err)
	}
	if got, err := ReadAt(fd, []byte("fifo\x00"), nil, 64, AtShortRead, false); err != nil || len(got) != 0 {
		t.Errorf("a FIFO read at the live root: %q, %v; want it empty, without hanging", got, err)
	}
}

// TestLiveReadOfAFIFODoesNotHang: at "/" files are opened non-blocking.
func TestLiveReadOfAFIFODoesNotHang(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		var d Root
		_, _ = d.Read(append([]byte(p), 0), nil, 64, AtShortRead)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the read hangs")
	}
}

func TestContainedReadDoesNotAllocate(t *testing.T) {
	root, _ := containTree(t)
	for _, walk := range []bool{false, true} {
		restore := SetForceWalk(walk)
		var d Root
		d.Set(root, Contained())
		path := append([]byte(root+"/sys/fs/cgroup/cpu/pod/cpu.max"), 0)
		buf := make([]byte, 0, 64)
		allocs := testing.AllocsPerRun(100, func() { buf, _ = d.Read(path, buf, 64, AtShortRead) })
		if allocs != 0 {
			t.Errorf("walk %v: %v allocations, want 0", walk, allocs)
		}
		d.Close()
		restore()
	}
}

// TestRootNeedsContained: a root other than "/" set without a way to open
// files beneath it reads nothing.
func TestRootNeedsContained(t *testing.T) {
	root, _ := containTree(t)
	var d Root
	d.Set(root, Beneath{})
	defer d.Close()
	if _, err := d.Read(append([]byte(root+"/proc/self/cgroup"), 0), nil, 1<<10, AtEOF); !errors.Is(err, errNoBeneath) {
		t.Fatalf("Read without Contained: %v, want errNoBeneath", err)
	}
}
