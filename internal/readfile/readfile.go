// Package readfile reads small kernel files into caller-owned buffers.
//
// cgroup interface files and /proc files are generated on read and report a
// size of 0 or 4096 whatever they hold, so they are read until EOF into a
// buffer the caller keeps and reuses, growing it only when a file does not fit.
package readfile

import (
	"errors"
	"fmt"
)

// ErrTooLarge reports a file larger than the caller's bound: not a kernel
// interface file, or a root pointing somewhere unexpected.
var ErrTooLarge = errors.New("file larger than the read bound")

// Into reads the whole file at path into buf[:0], growing buf as needed up to
// limit bytes, and returns the filled slice. The returned slice aliases buf
// (or its grown copy); keep it to reuse the memory in the next call.
func Into(path string, buf []byte, limit int) ([]byte, error) {
	buf = buf[:0]
	if cap(buf) == 0 {
		buf = make([]byte, 0, 4096)
	}
	err := readAll(path, &buf, limit)
	if err != nil {
		return buf[:0], err
	}
	return buf, nil
}

// IntoPath is Into for a path held in a byte slice that ends in a NUL byte,
// as a caller that builds paths in a reused buffer has it: on Linux the path
// goes to openat(2) as it is, without the conversion to a C string that
// allocates. A missing file is reported as the bare errno (errors.Is(err,
// fs.ErrNotExist) holds), again without allocating; other errors are
// *fs.PathError.
func IntoPath(path []byte, buf []byte, limit int) ([]byte, error) {
	if len(path) == 0 || path[len(path)-1] != 0 {
		return buf[:0], fmt.Errorf("readfile: path %q does not end in a NUL byte", path)
	}
	buf = buf[:0]
	if cap(buf) == 0 {
		buf = make([]byte, 0, 4096)
	}
	if err := readAllPath(path, &buf, limit, false); err != nil {
		return buf[:0], err
	}
	return buf, nil
}

// InterfaceFile is IntoPath for a cgroup interface file. The kernel
// generates such a file as a single seq_file record (kernfs), so a read that
// returns less than the buffer had room for has returned the whole file, and
// the read that would only see EOF is skipped: one system call fewer per
// file. Not for multi-record files such as mountinfo, where a short read can
// end before the last record.
func InterfaceFile(path []byte, buf []byte, limit int) ([]byte, error) {
	if len(path) == 0 || path[len(path)-1] != 0 {
		return buf[:0], fmt.Errorf("readfile: path %q does not end in a NUL byte", path)
	}
	buf = buf[:0]
	if cap(buf) == 0 {
		buf = make([]byte, 0, 4096)
	}
	if err := readAllPath(path, &buf, limit, true); err != nil {
		return buf[:0], err
	}
	return buf, nil
}

func tooLarge(path string, limit int) error {
	return fmt.Errorf("%s: %w (%d bytes)", path, ErrTooLarge, limit)
}
