package readfile

import (
	"errors"
	"io/fs"
	"syscall"
)

// ErrNotRegular reports a file under a root that is not a regular file: a
// FIFO, socket, device or directory where an interface file should be. Only
// regular files are read there, so that none can block a read or stand in
// for a value. (Interface files, /proc and /sys files are regular files.)
var ErrNotRegular = errors.New("not a regular file")

// ErrSymlink reports a symbolic link where Root.DirBelow wants a directory.
var ErrSymlink = errors.New("a symbolic link")

// Root is the directory every path of a detection is read under, as
// limits.WithRoot and node.WithRoot give it.
//
// At "/" (the zero Root) the live system is trusted: paths are opened as they
// are, non-blocking so that a FIFO cannot hang a read, and not type-checked.
// Under any other root every path is resolved beneath the root, as if the
// root were "/": symbolic links (absolute ones restart at the root), ".."
// never climbs above it, and only regular files are read. On Linux that is
// openat2(2) with RESOLVE_IN_ROOT relative to the root directory, opened once
// (on first use, until Set or Close); where openat2 fails with ENOSYS, EPERM
// or EINVAL (kernels before 5.6, seccomp profiles, gVisor), a walk of one
// component at a time with O_NOFOLLOW that reads each link and resolves it
// against the root. Off Linux the paths are opened by name, following links
// (not contained), non-blocking and type-checked.
//
// Paths given to Read, Open and OpenDir are the root's prefix (the root
// without trailing slashes, "" for "/") followed by an absolute path, as the
// callers build them for their messages; Root strips the prefix. A Root is
// not safe for concurrent use.
type Root struct {
	dir     string // "/" or "" for the live system
	sys     rootDir
	beneath Beneath
}

// Beneath is how a Root opens a file beneath a root other than "/". Only a
// caller that reads under such a root asks for it (Contained), so that a
// program reading only the live system does not carry the resolution code.
type Beneath struct {
	open func(d *Root, path, rel []byte, pread bool) (file, error)
}

// Contained is this package's way of opening files beneath a root: openat2
// with RESOLVE_IN_ROOT, or the walk of one component at a time.
func Contained() Beneath { return Beneath{open: (*Root).openContained} }

// Set makes the root dir ("" means "/"), whose files are opened as beneath
// says; the live system's need nothing. A root directory opened for another
// dir is closed; it is opened again when a read needs it.
func (d *Root) Set(dir string, beneath Beneath) {
	if dir == "" {
		dir = "/"
	}
	d.beneath = beneath
	if dir == d.dir || (d.dir == "" && dir == "/") {
		return
	}
	d.Close()
	d.dir = dir
}

// errNoBeneath reports a root other than "/" set without a way to open its
// files: a caller's mistake.
var errNoBeneath = errors.New("readfile: a root other than / needs Contained")

// Close closes the root directory if it is open. The Root stays usable: it
// opens the directory again when a read needs it.
func (d *Root) Close() { d.sys.close() }

// live reports whether the root is "/".
func (d *Root) live() bool { return d.dir == "" || d.dir == "/" }

// prefixLen is the length of the root's prefix in the paths given.
func (d *Root) prefixLen() int {
	n := len(d.dir)
	for n > 0 && d.dir[n-1] == '/' {
		n--
	}
	return n
}

// rel returns path (NUL-terminated) without the root's prefix: an absolute
// path inside the root.
func (d *Root) rel(path []byte) ([]byte, error) {
	n := d.prefixLen()
	if len(path) < n+2 || string(path[:n]) != d.dir[:n] || path[n] != '/' {
		return nil, syscall.EINVAL
	}
	return path[n:], nil
}

// openFile opens the NUL-terminated path under the root for reading, as a
// regular file under a root other than "/".
func (d *Root) openFile(path []byte, pread bool) (file, error) {
	if len(path) == 0 || path[len(path)-1] != 0 {
		return file{}, syscall.EINVAL
	}
	if d.live() {
		return open(path, pread)
	}
	rel, err := d.rel(path)
	if err == nil && d.beneath.open == nil {
		err = errNoBeneath
	}
	if err == nil {
		var f file
		if f, err = d.beneath.open(d, path, rel, pread); err == nil {
			return f, nil
		}
	}
	if _, ok := err.(*fs.PathError); ok || err == syscall.ENOENT {
		return file{}, err
	}
	return file{}, &fs.PathError{Op: "open", Path: string(path[:len(path)-1]), Err: err}
}

// Read is the package's Read of path under the root: path is the root's
// prefix and an absolute path, NUL-terminated. Under a root other than "/"
// it is resolved beneath the root and read only if it is a regular file
// (otherwise an *fs.PathError wrapping ErrNotRegular). It does not allocate
// beyond Read's growing of buf.
func (d *Root) Read(path, buf []byte, limit int, end End) ([]byte, error) {
	f, err := d.openFile(path, false)
	if err != nil {
		return buf[:0], err
	}
	return readClose(f, path, buf, limit, end)
}

// Open is the package's Open of path (the root's prefix and an absolute
// path) under the root, resolved and checked as Read resolves and checks it.
func (d *Root) Open(path string) (*Handle, error) {
	f, err := d.openFile(append([]byte(path), 0), true)
	if err != nil {
		return nil, err
	}
	return &Handle{path: path, f: f}, nil
}

// nextComponent returns the first component of p and the rest after it,
// skipping slashes; "" when none is left.
func nextComponent(p string) (string, string) {
	for len(p) > 0 && p[0] == '/' {
		p = p[1:]
	}
	i := 0
	for i < len(p) && p[i] != '/' {
		i++
	}
	return p[:i], p[i:]
}
