//go:build unix && !linux

package readfile

import "syscall"

// openPath opens a NUL-terminated path read-only.
func openPath(path []byte) (int, error) {
	p := string(path[:len(path)-1])
	for {
		fd, err := syscall.Open(p, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}
