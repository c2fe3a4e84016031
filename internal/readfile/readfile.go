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

func tooLarge(path string, limit int) error {
	return fmt.Errorf("%s: %w (%d bytes)", path, ErrTooLarge, limit)
}
