//go:build unix

package readfile

import (
	"io/fs"
	"syscall"
)

type handle struct {
	fd   int
	path string
}

func openHandle(path string) (handle, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	for err == syscall.EINTR {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	}
	if err != nil {
		return handle{}, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return handle{fd: fd, path: path}, nil
}

func (h handle) readAt(b []byte, off int64) (int, error) {
	for {
		n, err := syscall.Pread(h.fd, b, off)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, &fs.PathError{Op: "pread", Path: h.path, Err: err}
		}
		return n, nil
	}
}

func (h handle) close() error { return syscall.Close(h.fd) }
