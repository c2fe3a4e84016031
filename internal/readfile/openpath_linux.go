package readfile

import (
	"syscall"
	"unsafe"
)

// atFDCWD is AT_FDCWD (include/uapi/linux/fcntl.h), which package syscall
// does not export.
const atFDCWD = -0x64

// openPath opens a NUL-terminated path with openat(2) directly, so the path
// needs no conversion (and no allocation).
func openPath(path []byte) (int, error) {
	dirfd := atFDCWD
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
