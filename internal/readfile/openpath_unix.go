//go:build unix && !linux

package readfile

import "golang.org/x/sys/unix"

// openPath opens a NUL-terminated path.
func openPath(path []byte) (int, error) {
	p := string(path[:len(path)-1])
	for {
		fd, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}
