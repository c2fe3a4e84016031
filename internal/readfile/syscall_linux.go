package readfile

import (
	"syscall"
)

// atFDCWD is AT_FDCWD (include/uapi/linux/fcntl.h), which package syscall
// does not export: the *at system calls below resolve a relative path from
// the working directory, and take an absolute one as it is.
const atFDCWD = -0x64

// openPath opens a NUL-terminated path read-only and non-blocking with
// openat(2) directly, so the path needs no conversion (and no allocation).
func openPath(path []byte) (int, error) { return openAtFlags(atFDCWD, path, fileFlags) }

// Readlink reads the target of the symbolic link at path, a NUL-terminated
// byte slice, into buf with readlinkat(2) and returns the filled part of
// buf: neither the path nor the target is converted, so nothing is
// allocated. It is for links under /proc such as /proc/self/ns/cgroup, whose
// target ("cgroup:[4026531835]") names a namespace. A target longer than buf
// is cut at len(buf), as readlink(2) cuts it. Errors are the bare errno; a
// path without its NUL byte, or an empty buf, is EINVAL.
func Readlink(path, buf []byte) ([]byte, error) {
	if len(path) == 0 || path[len(path)-1] != 0 || len(buf) == 0 {
		return nil, syscall.EINVAL
	}
	n, errno := readlinkAt(atFDCWD, path, buf)
	if errno != 0 {
		return nil, errno
	}
	return buf[:n], nil
}

// ReadAt is Read for a path relative to the open directory dirfd: for a
// caller that walks a tree of directories it holds open (package node), so
// that each open resolves one or two components. The last component is not
// followed if it is a link (ELOOP), a ".." component is refused (EXDEV), and
// the caller vouches for the components before the last: directories it
// has checked are not links (node checks with statx AT_SYMLINK_NOFOLLOW).
// So the file is read from beneath dirfd without openat2's cost. It is
// opened non-blocking, so a FIFO cannot hang the read, and with regularOnly
// read only if it is a regular file (otherwise ErrNotRegular): under a root
// other than "/", where the tree is not the kernel's.
func ReadAt(dirfd int, path, buf []byte, limit int, end End, regularOnly bool) ([]byte, error) {
	if len(path) == 0 || path[len(path)-1] != 0 {
		return buf[:0], syscall.EINVAL
	}
	if hasDotDot(path[:len(path)-1]) {
		return buf[:0], syscall.EXDEV
	}
	fd, err := openAtFlags(dirfd, path, fileFlags|syscall.O_NOFOLLOW)
	if err != nil {
		return buf[:0], err
	}
	f := file{fd: fd}
	if regularOnly {
		if err := f.regular(); err != nil {
			f.close()
			return buf[:0], err
		}
	}
	return readClose(f, path, buf, limit, end)
}

// hasDotDot reports whether a path has a ".." component.
func hasDotDot(p []byte) bool {
	for i := 0; i+1 < len(p); i++ {
		if p[i] == '.' && p[i+1] == '.' && (i == 0 || p[i-1] == '/') && (i+2 == len(p) || p[i+2] == '/') {
			return true
		}
	}
	return false
}
