package readfile

import (
	"syscall"
	"unsafe"
)

// atFDCWD is AT_FDCWD (include/uapi/linux/fcntl.h), which package syscall
// does not export: the *at system calls below resolve a relative path from
// the working directory, and take an absolute one as it is.
const atFDCWD = -0x64

// openPath opens a NUL-terminated path read-only with openat(2) directly, so
// the path needs no conversion (and no allocation).
func openPath(path []byte) (int, error) { return openAt(atFDCWD, path) }

// openAt opens a NUL-terminated path relative to the directory dirfd
// read-only with openat(2).
func openAt(dirfd int, path []byte) (int, error) {
	for {
		fd, _, errno := syscall.Syscall6(syscall.SYS_OPENAT, uintptr(dirfd), uintptr(unsafe.Pointer(&path[0])),
			uintptr(syscall.O_RDONLY|syscall.O_CLOEXEC), 0, 0, 0)
		switch errno {
		case 0:
			return int(fd), nil
		case syscall.EINTR:
			continue
		}
		return -1, errno
	}
}

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
	dirfd := atFDCWD
	n, _, errno := syscall.Syscall6(syscall.SYS_READLINKAT, uintptr(dirfd), uintptr(unsafe.Pointer(&path[0])),
		uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0, 0)
	if errno != 0 {
		return nil, errno
	}
	return buf[:n], nil
}

// ReadAt is Read for a path relative to the open directory dirfd, opened
// with openat(2): for a caller that walks a tree of directories it holds
// open (package node), so that each open resolves one or two components.
func ReadAt(dirfd int, path, buf []byte, limit int, end End) ([]byte, error) {
	if len(path) == 0 || path[len(path)-1] != 0 {
		return buf[:0], syscall.EINVAL
	}
	fd, err := openAt(dirfd, path)
	if err != nil {
		return buf[:0], err
	}
	f := file{fd: fd}
	buf, err = fill(f, buf, limit, end)
	f.close()
	if err != nil {
		return buf, pathError(err, "read", string(path[:len(path)-1]), limit)
	}
	return buf, nil
}
