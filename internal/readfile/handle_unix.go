//go:build unix

package readfile

import (
	"io/fs"

	"golang.org/x/sys/unix"
)

type handle struct {
	fd   int
	path string
}

func openHandle(path string) (handle, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	for err == unix.EINTR {
		fd, err = unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	}
	if err != nil {
		return handle{}, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return handle{fd: fd, path: path}, nil
}

func (h handle) readAt(b []byte, off int64) (int, error) {
	for {
		n, err := unix.Pread(h.fd, b, off)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, &fs.PathError{Op: "pread", Path: h.path, Err: err}
		}
		return n, nil
	}
}

func (h handle) close() error { return unix.Close(h.fd) }
