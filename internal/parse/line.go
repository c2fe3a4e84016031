package parse

import (
	"bytes"
	"strings"
)

// NextLine splits b after its first newline: line is the text before it, rest
// what follows. Without a newline, line is all of b and rest is empty. It is
// the one line iterator of the module's line-oriented parsers (mountinfo,
// /proc/<pid>/cgroup, /proc/cgroups, /proc/meminfo and flat keyed files), for
// the bytes of a file as read and for a string made of them; it does not
// allocate:
//
//	for rest := b; len(rest) > 0; {
//		var line []byte
//		line, rest = parse.NextLine(rest)
//		...
//	}
func NextLine[T string | []byte](b T) (line, rest T) {
	var i int
	switch b := any(b).(type) {
	case string:
		i = strings.IndexByte(b, '\n')
	case []byte:
		i = bytes.IndexByte(b, '\n')
	}
	if i < 0 {
		return b, b[len(b):]
	}
	return b[:i], b[i+1:]
}
