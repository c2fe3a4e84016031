//go:build unix && !linux

package readfile

import "syscall"

// openPath opens a NUL-terminated path read-only and non-blocking.
func openPath(path []byte) (int, error) {
	p := string(path[:len(path)-1])
	for {
		fd, err := syscall.Open(p, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}
