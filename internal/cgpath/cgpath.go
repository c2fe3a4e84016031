// Package cgpath holds the one rule for a clean cgroup path, as
// /proc/<pid>/cgroup writes it and as callers may name one: "/" or "/a/b"
// with no empty, "." or ".." component and no NUL byte.
package cgpath

import "strings"

// IsClean reports whether p is a clean absolute cgroup path.
func IsClean(p string) bool {
	if p == "/" {
		return true
	}
	if !strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || strings.IndexByte(p, 0) >= 0 {
		return false
	}
	for rest := p[1:]; ; {
		var c string
		c, rest, _ = strings.Cut(rest, "/")
		if c == "" || c == "." || c == ".." {
			return false
		}
		if rest == "" {
			return true
		}
	}
}

// Within reports whether the clean cgroup path p lies at or below the clean
// cgroup path top, on a path-component boundary: "/a/b" is within "/a",
// "/ab" is not.
func Within(p, top string) bool {
	if top == "/" {
		return strings.HasPrefix(p, "/")
	}
	rest, ok := strings.CutPrefix(p, top)
	return ok && (rest == "" || rest[0] == '/')
}
