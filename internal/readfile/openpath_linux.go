package readfile

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// openPath opens a NUL-terminated path with openat(2) directly, so the path
// needs no conversion (and no allocation).
func openPath(path []byte) (int, error) {
	dirfd := unix.AT_FDCWD
	for {
		fd, _, errno := unix.Syscall6(unix.SYS_OPENAT, uintptr(dirfd), uintptr(unsafe.Pointer(&path[0])),
			uintptr(unix.O_RDONLY|unix.O_CLOEXEC), 0, 0, 0)
		switch errno {
		case 0:
			return int(fd), nil
		case unix.EINTR:
			continue
		}
		return -1, errno
	}
}
