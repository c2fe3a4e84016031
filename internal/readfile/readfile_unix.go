//go:build unix

package readfile

import (
	"io/fs"
	"syscall"
)

func readAll(path string, buf *[]byte, limit int) error {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	for err == syscall.EINTR {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	}
	if err != nil {
		return &fs.PathError{Op: "open", Path: path, Err: err}
	}
	if err := readFD(fd, buf, limit, false); err != nil {
		return wrap(err, path, limit)
	}
	return nil
}

func readAllPath(path []byte, buf *[]byte, limit int, shortIsEOF bool) error {
	fd, err := openPath(path)
	if err == syscall.ENOENT {
		// Absent files are routine on a cgroup walk: say so without
		// allocating an error that names the path.
		return err
	}
	if err != nil {
		return &fs.PathError{Op: "open", Path: string(path[:len(path)-1]), Err: err}
	}
	if err := readFD(fd, buf, limit, shortIsEOF); err != nil {
		return wrap(err, string(path[:len(path)-1]), limit)
	}
	return nil
}

// errFull is readFD's signal that the file does not fit the bound.
type errFull struct{}

func (errFull) Error() string { return "full" }

func wrap(err error, path string, limit int) error {
	if _, ok := err.(errFull); ok {
		return tooLarge(path, limit)
	}
	return &fs.PathError{Op: "read", Path: path, Err: err}
}

// readFD reads fd to EOF into *buf, growing it up to limit, and closes fd.
// With shortIsEOF a read that does not fill the buffer ends the file.
func readFD(fd int, buf *[]byte, limit int, shortIsEOF bool) error {
	defer syscall.Close(fd)
	b := *buf
	defer func() { *buf = b }()
	for {
		if len(b) == cap(b) {
			if len(b) >= limit {
				return errFull{}
			}
			b = append(b, 0)[:len(b)]
		}
		room := cap(b) - len(b)
		n, err := syscall.Read(fd, b[len(b):cap(b)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		b = b[:len(b)+n]
		if shortIsEOF && n < room {
			return nil
		}
	}
}
