package limits

import (
	"errors"
	"io/fs"

	"github.com/truelimit/truelimit/internal/readfile"
)

// openFiles keeps the interface files of a walk, and R/proc/self/cgroup,
// open, so a refresh re-reads each with one pread at offset 0 instead of
// open+read+close. A file that was absent at the first read stays absent
// until the cgroups are located again. It is not safe for concurrent use;
// the refresh loop owns it.
type openFiles struct {
	handles map[string]*readfile.Handle
	absent  map[string]bool
	// order is the sequence of files one walk read, and next the position in
	// it: a refresh walks the same files in the same order, so it finds each
	// handle by comparing what it asks for with what is expected next,
	// instead of building the path and hashing it.
	order []orderedFile
	next  int
	// vanished is set when a kept-open file stopped reading: the cgroups
	// must be located again.
	vanished bool
}

// orderedFile is one read of a walk: the file as the walk asked for it (the
// hierarchy's mount point, the cgroup path, the file name), its path, and its
// handle, nil if absent.
type orderedFile struct {
	mount, cgroup, name string
	path                string
	h                   *readfile.Handle
}

// expected reports whether the file expected next is name of cgroup in the
// hierarchy mounted at mount, and if so reads it (at most limit bytes).
func (o *openFiles) expected(mount, cgroup, name string, buf []byte, limit int) ([]byte, bool, error) {
	if o.next >= len(o.order) {
		return buf, false, nil
	}
	f := &o.order[o.next]
	if f.name != name || f.cgroup != cgroup || f.mount != mount {
		return buf, false, nil
	}
	o.next++
	if f.h == nil {
		return buf[:0], true, fs.ErrNotExist
	}
	data, err := o.readHandle(f.h, buf, limit)
	return data, true, err
}

// rewind starts a new walk over the same files.
func (o *openFiles) rewind() { o.next = 0 }

func newOpenFiles() *openFiles {
	return &openFiles{handles: make(map[string]*readfile.Handle), absent: make(map[string]bool)}
}

// read returns the content of path, at most limit bytes, opening it under
// root on first use; file names it as the walk asked for it (see expected).
func (o *openFiles) read(root *readfile.Root, file orderedFile, path []byte, buf []byte, limit int) ([]byte, error) {
	if o.next < len(o.order) && o.order[o.next].path == string(path) {
		f := o.order[o.next]
		o.next++
		if f.h == nil {
			return buf[:0], fs.ErrNotExist
		}
		return o.readHandle(f.h, buf, limit)
	}
	h, err := o.lookup(root, path)
	file.path, file.h = string(path), h
	o.order = append(o.order[:o.next], file)
	o.next++
	if err != nil {
		return buf[:0], err
	}
	return o.readHandle(h, buf, limit)
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

func (o *openFiles) readHandle(h *readfile.Handle, buf []byte, limit int) ([]byte, error) {
	data, err := h.ReadInterface(buf, limit)
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
