//go:build !linux

package node

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/truelimit/truelimit/internal/readfile"
)

// dir is a cgroup directory of a captured tree, by path: off Linux only
// WithRoot trees can be scanned, and the plain os calls serve.
type dir struct{ path string }

// openDir opens the top of a walk by path: off Linux the resolution is not
// contained (readfile.Root).
func openDir(_ *readfile.Root, path string) (dir, error) {
	info, err := os.Stat(path)
	if err != nil {
		return dir{}, err
	}
	if !info.IsDir() {
		return dir{}, &fs.PathError{Op: "open", Path: path, Err: errors.New("not a directory")}
	}
	return dir{path: path}, nil
}

func (d dir) child(name []byte) (dir, error) {
	path := filepath.Join(d.path, string(name))
	info, err := os.Lstat(path)
	if err != nil {
		return dir{}, err
	}
	if !info.IsDir() {
		return dir{}, &fs.PathError{Op: "open", Path: path, Err: errors.New("not a directory")}
	}
	return dir{path: path}, nil
}

func (d dir) close() {}

func (d dir) within(name []byte) dir { return dir{path: filepath.Join(d.path, string(name))} }

// linksCountSubdirs is false: off Linux the link count is not consulted.
func (d dir) linksCountSubdirs() bool { return false }

func (d dir) subdirCount([]byte) int { return -1 }

func (d dir) readFile(name string, buf []byte, limit int, _ bool) ([]byte, error) {
	return readfile.Read(append([]byte(filepath.Join(d.path, name)), 0), buf, limit, readfile.AtEOF)
}

// subdirs appends the names of d's subdirectories (not symlinks) to names.
func (d dir) subdirs(_, names []byte, spans []span, _ int) ([]byte, []span, error) {
	entries, err := os.ReadDir(d.path)
	for _, e := range entries {
		if e.IsDir() {
			start := len(names)
			names = append(names, e.Name()...)
			spans = append(spans, span{start: start, end: len(names)})
		}
	}
	return names, spans, err
}
