package limits

import (
	"errors"
	"io/fs"

	"github.com/truelimit/truelimit/internal/readfile"
	"github.com/truelimit/truelimit/limits/internal/own"
)

// openFiles keeps the interface files of a walk open, so a refresh re-reads
// each with one pread at offset 0 instead of open+read+close. A file that was
// absent at the first read stays absent until the cgroup is located again.
// It is not safe for concurrent use; the refresh loop owns it.
type openFiles struct {
	handles map[string]*readfile.Handle
	absent  map[string]bool
	// order is the sequence of files one walk read, and next the position in
	// it: a refresh walks the same files in the same order, so it finds each
	// handle by comparing the path with the expected one instead of hashing.
	order []orderedFile
	next  int
	// vanished is set when a kept-open file stopped reading: the cgroup
	// must be located again.
	vanished bool
}

// orderedFile is one read of a walk: the path and its handle, nil if absent.
type orderedFile struct {
	path string
	h    *readfile.Handle
}

// rewind starts a new walk over the same files.
func (o *openFiles) rewind() { o.next = 0 }

func newOpenFiles() *openFiles {
	return &openFiles{handles: make(map[string]*readfile.Handle), absent: make(map[string]bool)}
}

// read returns the content of path, opening it under root on first use.
func (o *openFiles) read(root *readfile.Root, path []byte, buf []byte) ([]byte, error) {
	if o.next < len(o.order) && o.order[o.next].path == string(path) {
		f := o.order[o.next]
		o.next++
		if f.h == nil {
			return buf[:0], fs.ErrNotExist
		}
		return o.readHandle(f.h, buf)
	}
	h, err := o.lookup(root, path)
	o.order = append(o.order[:o.next], orderedFile{path: string(path), h: h})
	o.next++
	if err != nil {
		return buf[:0], err
	}
	return o.readHandle(h, buf)
}

// lookup finds or opens the handle of path under root; a missing file is remembered as
// absent and returns fs.ErrNotExist with a nil handle.
func (o *openFiles) lookup(root *readfile.Root, path []byte) (*readfile.Handle, error) {
	if o.absent[string(path)] {
		return nil, fs.ErrNotExist
	}
	h, ok := o.handles[string(path)]
	if !ok {
		var err error
		if h, err = root.Open(string(path)); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				o.absent[string(path)] = true
			}
			return nil, err
		}
		o.handles[string(path)] = h
	}
	return h, nil
}

func (o *openFiles) readHandle(h *readfile.Handle, buf []byte) ([]byte, error) {
	data, err := h.ReadInterface(buf, own.MaxInterfaceFile)
	if err != nil {
		o.vanished = true
	}
	return data, err
}

// close closes every handle.
func (o *openFiles) close() {
	for path, h := range o.handles {
		h.Close()
		delete(o.handles, path)
	}
	clear(o.absent)
	clear(o.order)
	o.order, o.next = o.order[:0], 0
}
