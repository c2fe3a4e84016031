package parse

// isSpace reports whether c is ASCII white space, the only kind the kernel
// writes around values in interface files.
func isSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\v', '\f':
		return true
	}
	return false
}

// TrimSpace returns b without leading and trailing ASCII white space, such as
// the newline the kernel appends to every interface file. It returns a
// subslice of b and does not allocate.
func TrimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}
