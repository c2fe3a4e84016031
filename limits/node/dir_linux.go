//go:build linux

package node

import (
	"bytes"
	"encoding/binary"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/truelimit/truelimit/internal/readfile"
)

// dir is a cgroup directory whose files are opened relative to an open
// directory with openat(2), so that each open resolves one or two path
// components instead of the whole path, and no path string is built. A
// directory known to have no subdirectories is not opened at all: its files
// are opened as "name/file" relative to its parent (sub is its name).
type dir struct {
	fd  int
	sub []byte
}

const (
	// Subdirectories: never through a symlink (a cgroup filesystem has
	// none, so one would lead out of the tree).
	childDirFlags = unix.O_RDONLY | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC
)

// openDir opens the directory at path (under the root), the top of a walk,
// resolved beneath the root: the mount point may be a link inside it (v1
// cpu -> cpu,cpuacct), never one out of it.
func openDir(root *readfile.Root, path string) (dir, error) {
	fd, err := root.OpenDir(path)
	return dir{fd: fd}, err
}

// child opens the subdirectory name.
func (d dir) child(name []byte) (dir, error) {
	fd, err := openat(d.fd, d.sub, name, childDirFlags)
	return dir{fd: fd}, err
}

// within is the subdirectory name, not opened: for one without
// subdirectories, whose files are all Scan needs.
func (d dir) within(name []byte) dir { return dir{fd: d.fd, sub: name} }

// close closes an opened directory; nothing was written, so there is
// nothing to report.
func (d dir) close() {
	if d.sub == nil {
		_ = unix.Close(d.fd)
	}
}

// Filesystems whose directories have 2 + (number of subdirectories) links,
// so that a directory's link count says whether it has subdirectories, as
// gnulib's fts relies on for the same filesystems: kernfs (cgroup v1 and
// v2: kernfs_refresh_inode sets nlink to subdirs + 2), tmpfs, ext2/3/4 and
// xfs. btrfs (always 1), overlayfs, network and FUSE filesystems are listed
// to the end instead.
var countsSubdirs = map[int64]bool{
	unix.CGROUP2_SUPER_MAGIC: true,
	unix.CGROUP_SUPER_MAGIC:  true,
	unix.TMPFS_MAGIC:         true,
	unix.EXT4_SUPER_MAGIC:    true, // also ext2 and ext3
	unix.XFS_SUPER_MAGIC:     true,
}

// linksCountSubdirs reports whether d's filesystem is one of those.
func (d dir) linksCountSubdirs() bool {
	var st unix.Statfs_t
	for {
		err := unix.Fstatfs(d.fd, &st)
		if err == unix.EINTR {
			continue
		}
		return err == nil && countsSubdirs[int64(st.Type)]
	}
}

// subdirCount returns how many subdirectories the subdirectory name of d has,
// from its link count (statx(2), one system call), or -1 when that does not
// say: ext4 reports 1 past 65000 subdirectories.
func (d dir) subdirCount(name []byte) int {
	var p [2*unix.NAME_MAX + 2]byte
	if !joinName(&p, d.sub, name) {
		return -1
	}
	var st unix.Statx_t
	for {
		_, _, errno := unix.Syscall6(unix.SYS_STATX, uintptr(d.fd), uintptr(unsafe.Pointer(&p[0])),
			unix.AT_SYMLINK_NOFOLLOW, unix.STATX_TYPE|unix.STATX_NLINK, uintptr(unsafe.Pointer(&st)), 0)
		switch {
		case errno == unix.EINTR:
			continue
		case errno != 0 || st.Mask&unix.STATX_NLINK == 0 || st.Mode&unix.S_IFMT != unix.S_IFDIR || st.Nlink < 2:
			return -1
		}
		return int(st.Nlink) - 2
	}
}

// joinName writes sub/name (or name alone), NUL-terminated, into p.
func joinName[T string | []byte](p *[2*unix.NAME_MAX + 2]byte, sub []byte, name T) bool {
	if len(name) == 0 || len(name) > unix.NAME_MAX || len(sub) > unix.NAME_MAX {
		return false
	}
	n := 0
	if len(sub) > 0 {
		n = copy(p[:], sub)
		p[n] = '/'
		n++
	}
	n += copy(p[n:], name)
	p[n] = 0
	return true
}

// openat opens sub/name relative to dirfd, the path built in an array on
// the stack rather than as an allocated C string. A missing file is the bare
// errno ENOENT (errors.Is(err, fs.ErrNotExist) holds).
func openat[T string | []byte](dirfd int, sub []byte, name T, flags int) (int, error) {
	var p [2*unix.NAME_MAX + 2]byte
	if !joinName(&p, sub, name) {
		return -1, unix.ENAMETOOLONG
	}
	for {
		fd, _, errno := unix.Syscall6(unix.SYS_OPENAT, uintptr(dirfd), uintptr(unsafe.Pointer(&p[0])), uintptr(flags), 0, 0, 0)
		switch errno {
		case 0:
			return int(fd), nil
		case unix.EINTR:
			continue
		}
		return -1, errno
	}
}

// readFile reads the interface file name of d into buf[:0], growing it up
// to limit bytes, with the one bounded read of package readfile relative to
// the open directory (a short read ends an interface file). readfile.ReadAt
// does not follow a link in its place (the directory d.sub names was checked
// not to be one when it was listed), opens it non-blocking and, with
// regularOnly (under a root other than "/"), reads only a regular file.
func (d dir) readFile(name string, buf []byte, limit int, regularOnly bool) ([]byte, error) {
	var p [2*unix.NAME_MAX + 2]byte
	if !joinName(&p, d.sub, name) {
		return buf[:0], unix.ENAMETOOLONG
	}
	n := len(d.sub) + len(name) + 1
	if len(d.sub) > 0 {
		n++
	}
	return readfile.ReadAt(d.fd, p[:n], buf, limit, readfile.AtShortRead, regularOnly)
}

// Offsets in a struct linux_dirent64 (getdents64(2)).
const (
	direntReclen = 16
	direntType   = 18
	direntName   = 19
)

// subdirs appends the names of d's subdirectories to names, recording each
// as a span, reading the entries with getdents64(2) into ents. It stops
// once it has found want of them (the count the link count gave; -1 to read
// to the end). Entries whose type the filesystem does not report are checked
// with fstatat(2).
func (d dir) subdirs(ents, names []byte, spans []span, want int) ([]byte, []span, error) {
	found := 0
	for want < 0 || found < want {
		n, err := unix.Getdents(d.fd, ents)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			return names, spans, err
		}
		for off := 0; off+direntName <= n; {
			reclen := int(binary.NativeEndian.Uint16(ents[off+direntReclen:]))
			if reclen <= direntName || off+reclen > n {
				return names, spans, unix.EIO
			}
			typ := ents[off+direntType]
			name := ents[off+direntName : off+reclen]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			off += reclen
			if isDotOrDotDot(name) || !d.isDir(name, typ) {
				continue
			}
			start := len(names)
			names = append(names, name...)
			spans = append(spans, span{start: start, end: len(names)})
			found++
		}
	}
	return names, spans, nil
}

func isDotOrDotDot(name []byte) bool { return string(name) == "." || string(name) == ".." }

// isDir reports whether a directory entry is a subdirectory, not following
// symlinks.
func (d dir) isDir(name []byte, typ byte) bool {
	switch typ {
	case unix.DT_DIR:
		return true
	case unix.DT_UNKNOWN:
		var st unix.Stat_t
		err := unix.Fstatat(d.fd, string(name), &st, unix.AT_SYMLINK_NOFOLLOW)
		return err == nil && st.Mode&unix.S_IFMT == unix.S_IFDIR
	}
	return false
}
