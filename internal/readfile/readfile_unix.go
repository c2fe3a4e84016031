//go:build unix

package readfile

import (
	"io/fs"

	"golang.org/x/sys/unix"
)

func readAll(path string, buf *[]byte, limit int) error {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	for err == unix.EINTR {
		fd, err = unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	}
	if err != nil {
		return &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	b := *buf
	for {
		if len(b) == cap(b) {
			if len(b) >= limit {
				*buf = b
				return tooLarge(path, limit)
			}
			b = append(b, 0)[:len(b)]
		}
		n, err := unix.Read(fd, b[len(b):cap(b)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			*buf = b
			return &fs.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			*buf = b
			return nil
		}
		b = b[:len(b)+n]
	}
}
