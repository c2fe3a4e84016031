//go:build !linux

package readfile

import (
	"io/fs"
	"os"
	"syscall"
)

// rootDir holds nothing off Linux: paths are opened by name.
type rootDir struct{}

func (rootDir) close() {}

// openContained opens path by name, following links (off Linux the
// resolution is not contained), non-blocking, and only a regular file.
func (d *Root) openContained(path, _ []byte, pread bool) (file, error) {
	f, err := open(path, pread)
	if err != nil {
		return file{}, err
	}
	if err := f.regular(); err != nil {
		f.close()
		return file{}, err
	}
	return f, nil
}

// DirBelow reports whether base/rel is a directory, base (an absolute path
// inside the root) followed through links and rel not: nil if so, an error
// matching fs.ErrNotExist if a component does not exist, ErrSymlink if one
// is a link, another error otherwise. Off Linux base is resolved by name.
func (d *Root) DirBelow(base, rel string) error {
	p := d.dir[:d.prefixLen()] + base
	info, err := os.Stat(p)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return &fs.PathError{Op: "stat", Path: p, Err: syscall.ENOTDIR}
	}
	for rest := rel; ; {
		var c string
		if c, rest = nextComponent(rest); c == "" {
			return nil
		}
		p += "/" + c
		info, err := os.Lstat(p)
		switch {
		case err != nil:
			return err
		case info.Mode()&fs.ModeSymlink != 0:
			return ErrSymlink
		case !info.IsDir():
			return &fs.PathError{Op: "stat", Path: p, Err: syscall.ENOTDIR}
		}
	}
}
