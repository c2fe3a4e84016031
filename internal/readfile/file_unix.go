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

// regular fails with ErrNotRegular unless f is a regular file (fstat(2)).
func (f file) regular() error {
	var st syscall.Stat_t
	for {
		err := syscall.Fstat(f.fd, &st)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
			return ErrNotRegular
		}
		return nil
	}
}
