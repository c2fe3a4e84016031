package readfile

// Handle is a file kept open so that it can be read again from offset 0
// without opening it anew: cgroup interface files regenerate their content on
// every read, so a pread at offset 0 sees the current value. A Handle is not
// safe for concurrent use.
type Handle struct {
	path string
	h    handle
}

// Open opens path for repeated reads.
func Open(path string) (*Handle, error) {
	h, err := openHandle(path)
	if err != nil {
		return nil, err
	}
	return &Handle{path: path, h: h}, nil
}

// Path returns the path the handle was opened with.
func (h *Handle) Path() string { return h.path }

// ReadInterface reads a cgroup interface file from offset 0 into buf[:0],
// growing buf up to limit bytes, and returns the filled slice. A pread that
// returns less than the buffer had room for has returned the whole file (see
// InterfaceFile), so the usual case is a single pread.
func (h *Handle) ReadInterface(buf []byte, limit int) ([]byte, error) {
	buf = buf[:0]
	if cap(buf) == 0 {
		buf = make([]byte, 0, 4096)
	}
	for {
		room := cap(buf) - len(buf)
		n, err := h.h.readAt(buf[len(buf):cap(buf)], int64(len(buf)))
		if err != nil {
			return buf[:0], err
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
		if n < room {
			return buf, nil
		}
		if len(buf) == cap(buf) {
			if len(buf) >= limit {
				return buf[:0], tooLarge(h.path, limit)
			}
			buf = append(buf, 0)[:len(buf)]
		}
	}
}

// Close closes the file.
func (h *Handle) Close() error { return h.h.close() }
