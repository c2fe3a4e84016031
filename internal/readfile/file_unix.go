//go:build unix

package readfile

import (
	"io/fs"
	"syscall"
)

// file is an open file descriptor, read with read(2) from where the last
// read ended or, for a Handle, with pread(2) at the offset fill asks for.
type file struct {
	fd    int
	pread bool
}

// open opens the NUL-terminated path read-only. A missing file is the bare
// errno ENOENT, other failures an *fs.PathError.
func open(path []byte, pread bool) (file, error) {
	fd, err := openPath(path)
	if err == syscall.ENOENT {
		return file{}, err
	}
	if err != nil {
		return file{}, &fs.PathError{Op: "open", Path: string(path[:len(path)-1]), Err: err}
	}
	return file{fd: fd, pread: pread}, nil
}

func (f file) read(b []byte, off int64) (int, error) {
	for {
		var n int
		var err error
		if f.pread {
			n, err = syscall.Pread(f.fd, b, off)
		} else {
			n, err = syscall.Read(f.fd, b)
		}
		if err != syscall.EINTR {
			return n, err
		}
	}
}

func (f file) close() error { return syscall.Close(f.fd) }
