package v2

// HasController reports whether name is one of the space separated
// controller names in the content of cgroup.controllers, e.g.
// "cpuset cpu io memory pids\n" (Documentation/admin-guide/cgroup-v2.rst:
// the controllers available to this cgroup). Only whole names match: "cpu"
// is not found in "cpuset". It does not allocate.
func HasController(b []byte, name string) bool {
	if name == "" {
		return false
	}
	for len(b) > 0 {
		start := 0
		for start < len(b) && isBlank(b[start]) {
			start++
		}
		end := start
		for end < len(b) && !isBlank(b[end]) {
			end++
		}
		if end > start && string(b[start:end]) == name {
			return true
		}
		b = b[end:]
	}
	return false
}

// isBlank reports the separators the kernel writes in cgroup.controllers:
// spaces and the trailing newline.
func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}
