//go:build !unix

package readfile

import (
	"errors"
	"io"
	"os"
)

type handle struct{ f *os.File }

func openHandle(path string) (handle, error) {
	f, err := os.Open(path)
	if err != nil {
		return handle{}, err
	}
	return handle{f: f}, nil
}

func (h handle) readAt(b []byte, off int64) (int, error) {
	n, err := h.f.ReadAt(b, off)
	if errors.Is(err, io.EOF) {
		return n, nil
	}
	return n, err
}

func (h handle) close() error { return h.f.Close() }
