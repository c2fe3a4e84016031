//go:build !unix

package readfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
)

// file is an open file, read from where the last read ended or, for a
// Handle, at the offset fill asks for.
type file struct {
	f     *os.File
	pread bool
}

// open opens the NUL-terminated path read-only.
func open(path []byte, pread bool) (file, error) {
	f, err := os.Open(string(path[:len(path)-1]))
	if err != nil {
		return file{}, err
	}
	return file{f: f, pread: pread}, nil
}

// read returns io.EOF as the end of the file (0 bytes) and other errors
// without their path, which pathError adds.
func (f file) read(b []byte, off int64) (int, error) {
	var n int
	var err error
	if f.pread {
		n, err = f.f.ReadAt(b, off)
	} else {
		n, err = f.f.Read(b)
	}
	if errors.Is(err, io.EOF) {
		return n, nil
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return n, err
}

func (f file) close() error { return f.f.Close() }

// regular fails with ErrNotRegular unless f is a regular file.
func (f file) regular() error {
	info, err := f.f.Stat()
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return ErrNotRegular
	}
	return nil
}
