package limits

import (
	"errors"
	"io/fs"
	"slices"

	"github.com/truelimit/truelimit/internal/readfile"
)

// openFiles keeps the interface files of a walk, and R/proc/self/cgroup,
// open, so a refresh re-reads each with one pread at offset 0 instead of
// open+read+close. A file that was absent at the first read stays absent
// until the cgroups are located again. It is not safe for concurrent use;
// the refresh loop owns it.
type openFiles struct {
	// known is every file opened, or found absent (h nil), since the last
	// close. A walk reads a few dozen files at most, so a search through
	// it costs less than a map would cost every program importing
	// limits/auto (about 2 KB for iterating and clearing one).
	known []orderedFile
	// order is the sequence of files one walk read, and next the position in
	// it: a refresh walks the same files in the same order, so it finds each
	// handle by comparing what it asks for with what is expected next,
	// instead of building the path and hashing it.
	order []orderedFile
	next  int
	// vanished is set when a kept-open file stopped reading: the cgroups
	// must be located again.
	vanished bool
	// ahead holds the bytes of order[aheadFrom:], one file after the other,
	// as readAhead read them, and aheadEnds where each ends (an absent
	// file's is empty); nothing is read ahead while aheadEnds is empty.
	ahead     []byte
	aheadEnds []int
	aheadFrom int
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
	if i := o.next - 1 - o.aheadFrom; i >= 0 && i < len(o.aheadEnds) {
		start := 0
		if i > 0 {
			start = o.aheadEnds[i-1]
		}
		return append(buf[:0], o.ahead[start:o.aheadEnds[i]]...), true, nil
	}
	data, err := o.readHandle(f.h, buf, limit)
	return data, true, err
}

// readAhead reads the files order[from:], one pread each, for expected to
// hand out in their turn: a poller's sample then makes its reads in one run
// and parses after, instead of going back and forth between the kernel and
// the parsers for every file. It stops before a file that does not read, so
// that expected reads that one itself and reports it; dropAhead forgets the
// bytes.
func (o *openFiles) readAhead(from, limit int) {
	o.ahead, o.aheadEnds, o.aheadFrom = o.ahead[:0], o.aheadEnds[:0], from
	for _, f := range o.order[from:] {
		if f.h != nil {
			// Room for a whole file, so that each takes one pread.
			o.ahead = slices.Grow(o.ahead, 8192)
			data, err := f.h.ReadInterface(o.ahead[len(o.ahead):], limit)
			if err != nil {
				return
			}
			o.ahead = append(o.ahead, data...)
		}
		o.aheadEnds = append(o.aheadEnds, len(o.ahead))
	}
}

// dropAhead forgets what readAhead read: expected reads the files again.
func (o *openFiles) dropAhead() { o.aheadEnds = o.aheadEnds[:0] }

// rewind starts a new walk over the same files.
func (o *openFiles) rewind() { o.next = 0 }

func newOpenFiles() *openFiles { return &openFiles{} }

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
	if f := o.find(path); f != nil {
		if f.h == nil {
			return nil, fs.ErrNotExist
		}
		return f.h, nil
	}
	h, err := root.Open(string(path))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	o.known = append(o.known, orderedFile{path: string(path), h: h})
	return h, err
}

// find returns the known file of path, or nil.
func (o *openFiles) find(path []byte) *orderedFile {
	for i := range o.known {
		if o.known[i].path == string(path) {
			return &o.known[i]
		}
	}
	return nil
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
	for _, f := range o.known {
		if f.h != nil {
			f.h.Close()
		}
	}
	clear(o.known)
	clear(o.order)
	o.known, o.order, o.next = o.known[:0], o.order[:0], 0
}
