package parse

// NextField returns the first field of b, a run of bytes other than ASCII
// white space, and what follows it. field is nil when b holds only white
// space. It is the field iterator of the module's column parsers
// (/proc/cgroups, pressure files) and does not allocate:
//
//	for field, rest := parse.NextField(line); field != nil; field, rest = parse.NextField(rest) {
//		...
//	}
func NextField(b []byte) (field, rest []byte) {
	start := 0
	for start < len(b) && isSpace(b[start]) {
		start++
	}
	if start == len(b) {
		return nil, nil
	}
	end := start
	for end < len(b) && (b[end] > ' ' || !isSpace(b[end])) { // every space is at most ' '
		end++
	}
	return b[start:end], b[end:]
}
