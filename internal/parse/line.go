package parse

import "bytes"

// NextLine splits b after its first newline: line is the text before it, rest
// what follows. Without a newline, line is all of b and rest is empty. It is
// the one line iterator of the module's line-oriented parsers (mountinfo,
// /proc/<pid>/cgroup, /proc/cgroups, /proc/meminfo, PSI and flat keyed
// files) over the bytes of a file as read (a string made of them is split
// with strings.Cut at "\n", the same rule). It is not generic: the shape
// function of a generic one tests its type on every line of a polled file.
// It does not allocate:
//
//	for rest := b; len(rest) > 0; {
//		var line []byte
//		line, rest = parse.NextLine(rest)
//		...
//	}
func NextLine(b []byte) (line, rest []byte) {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i], b[i+1:]
	}
	return b, nil
}
