package limits

import (
	"errors"
	"io/fs"

	"github.com/truelimit/truelimit/internal/readfile"
)

// errVanished reports that a kept-open interface file no longer reads: its
// cgroup was removed (the kernel answers ENODEV) or replaced.
var errVanished = errors.New("cgroup file vanished")

// openFiles keeps the interface files of a walk open, so a refresh re-reads
// each with one pread at offset 0 instead of open+read+close. A file that was
// absent at the first read stays absent until the cgroup is located again.
// It is not safe for concurrent use; the refresh loop owns it.
type openFiles struct {
	handles map[string]*readfile.Handle
	absent  map[string]bool
	// vanished is set when a kept-open file stopped reading: the cgroup
	// must be located again.
	vanished bool
}

func newOpenFiles() *openFiles {
	return &openFiles{handles: make(map[string]*readfile.Handle), absent: make(map[string]bool)}
}

// read returns the content of path, opening it on first use.
func (o *openFiles) read(path []byte, buf []byte) ([]byte, error) {
	if o.absent[string(path)] {
		return buf[:0], fs.ErrNotExist
	}
	h, ok := o.handles[string(path)]
	if !ok {
		var err error
		if h, err = readfile.Open(string(path)); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				o.absent[string(path)] = true
			}
			return buf[:0], err
		}
		o.handles[string(path)] = h
	}
	data, err := h.ReadAll(buf, maxInterfaceFile)
	if err != nil {
		o.vanished = true
		return data, errors.Join(errVanished, err)
	}
	return data, nil
}

// close closes every handle.
func (o *openFiles) close() {
	for path, h := range o.handles {
		h.Close()
		delete(o.handles, path)
	}
	clear(o.absent)
}
