//go:build !unix

package readfile

import (
	"io"
	"os"
)

func readAll(path string, buf *[]byte, limit int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	b := *buf
	for {
		if len(b) == cap(b) {
			if len(b) >= limit {
				*buf = b
				return tooLarge(path, limit)
			}
			b = append(b, 0)[:len(b)]
		}
		n, err := f.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			*buf = b
			return nil
		}
		if err != nil {
			*buf = b
			return err
		}
	}
}

func readAllPath(path []byte, buf *[]byte, limit int, _ bool) error {
	return readAll(string(path[:len(path)-1]), buf, limit)
}
