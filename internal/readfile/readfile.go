// Package readfile reads small kernel files into caller-owned buffers.
//
// cgroup interface files and /proc files are generated on read and report a
// size of 0 or 4096 whatever they hold, so they are read, up to a bound, into
// a buffer the caller keeps and reuses, growing it only when a file does not
// fit. Read is the one bounded read; a Handle keeps a file open and reads it
// again with the same code.
package readfile

import (
	"errors"
	"fmt"
	"io/fs"
)

// ErrTooLarge reports a file larger than the caller's bound: not a kernel
// interface file, or a root pointing somewhere unexpected.
var ErrTooLarge = errors.New("file larger than the read bound")

// End says how a read knows that it has the whole file.
type End uint8

const (
	// AtEOF reads until a read returns no bytes: for /proc and /sys files
	// such as mountinfo, which the kernel generates a record at a time
	// (seq_file), so that a short read can end before the last record.
	AtEOF End = iota
	// AtShortRead stops at the first read that returns less than the buffer
	// had room for: for cgroup interface files, which the kernel generates
	// as a single seq_file record (kernfs), so that such a read has returned
	// the whole file; the read that would only see EOF is skipped, one
	// system call fewer per file.
	AtShortRead
)

// Read reads the file at path into buf[:0], growing buf as needed up to
// limit bytes, until end says the file is whole, and returns the filled
// slice. The returned slice aliases buf (or its grown copy); keep it to reuse
// the memory in the next call.
//
// path is a byte slice that ends in a NUL byte, as a caller that builds paths
// in a reused buffer has it: on Linux it goes to openat(2) as it is, without
// the conversion to a C string that allocates. On Unix systems a missing file
// is reported as the bare errno (errors.Is(err, fs.ErrNotExist) holds), again
// without allocating: absent files are routine on a cgroup walk. A file
// larger than limit is an error naming the path and wrapping ErrTooLarge;
// other errors are *fs.PathError.
func Read(path, buf []byte, limit int, end End) ([]byte, error) {
	if len(path) == 0 || path[len(path)-1] != 0 {
		return buf[:0], fmt.Errorf("readfile: path %q does not end in a NUL byte", path)
	}
	f, err := open(path, false)
	if err != nil {
		return buf[:0], err
	}
	return readClose(f, path, buf, limit, end)
}

// readClose is the bounded read of a file just opened at the NUL-terminated
// path, which it closes; a failure names the path.
func readClose(f file, path, buf []byte, limit int, end End) ([]byte, error) {
	buf, err := fill(f, buf, limit, end)
	f.close()
	if err != nil {
		return buf, pathError(err, "read", string(path[:len(path)-1]), limit)
	}
	return buf, nil
}

// fill is the bounded read under Read and Handle: it reads f from offset 0
// into buf[:0], growing buf up to limit bytes, until end says the file is
// whole. On failure it returns buf[:0], keeping a grown buffer, with
// ErrTooLarge or the bare error of the read.
func fill(f file, buf []byte, limit int, end End) ([]byte, error) {
	buf = buf[:0]
	if cap(buf) == 0 {
		buf = make([]byte, 0, 4096)
	}
	for {
		if len(buf) == cap(buf) {
			if len(buf) >= limit {
				return buf[:0], ErrTooLarge
			}
			buf = append(buf, 0)[:len(buf)]
		}
		room := cap(buf) - len(buf)
		n, err := f.read(buf[len(buf):cap(buf)], int64(len(buf)))
		if err != nil {
			return buf[:0], err
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
		if end == AtShortRead && n < room {
			return buf, nil
		}
	}
}

// pathError names path in an error of fill: ErrTooLarge with the bound,
// anything else as the *fs.PathError of op.
func pathError(err error, op, path string, limit int) error {
	if err == ErrTooLarge {
		return fmt.Errorf("%s: %w (%d bytes)", path, ErrTooLarge, limit)
	}
	return &fs.PathError{Op: op, Path: path, Err: err}
}
