package readfile

// Handle is a file kept open so that it can be read again from offset 0
// without opening it anew: cgroup interface files regenerate their content on
// every read, so a pread at offset 0 sees the current value. A Handle is not
// safe for concurrent use.
type Handle struct {
	path string
	f    file
}

// Open opens path for repeated reads. It allocates: a Handle is opened once
// and read many times.
func Open(path string) (*Handle, error) {
	f, err := open(append([]byte(path), 0), true)
	if err != nil {
		return nil, err
	}
	return &Handle{path: path, f: f}, nil
}

// Path returns the path the handle was opened with.
func (h *Handle) Path() string { return h.path }

// ReadInterface reads a cgroup interface file from offset 0 into buf[:0],
// growing buf up to limit bytes, and returns the filled slice: Read's bounded
// read with AtShortRead, with pread(2) at the offset, so the usual case is a
// single pread.
func (h *Handle) ReadInterface(buf []byte, limit int) ([]byte, error) {
	buf, err := fill(h.f, buf, limit, AtShortRead)
	if err != nil {
		return buf, pathError(err, "pread", h.path, limit)
	}
	return buf, nil
}

// Close closes the file.
func (h *Handle) Close() error { return h.f.close() }
