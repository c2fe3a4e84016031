package parse

// FlatKeyed finds key in a flat keyed file, one "key value" pair per line, as
// written by memory.stat, memory.events and cpu.stat
// (Documentation/admin-guide/cgroup-v2.rst, "Format") and by v1 memory.stat
// and memory.oom_control. The key must match a whole first field, so "cache"
// does not match "total_cache". Lines for other keys are skipped without being
// parsed, so one odd counter cannot hide the value asked for; err is non-nil
// only when key's own line is malformed. The first line with key wins.
func FlatKeyed(b []byte, key string) (v uint64, found bool, err error) {
	if key == "" {
		return 0, false, nil
	}
	for len(b) > 0 {
		var line []byte
		line, b = NextLine(b)
		if len(line) < len(key) || string(line[:len(key)]) != key {
			continue
		}
		rest := line[len(key):]
		if len(rest) > 0 && !isSpace(rest[0]) {
			continue
		}
		v, err = digits(TrimSpace(rest))
		if err != nil {
			return 0, false, NewError(key, line, err)
		}
		return v, true, nil
	}
	return 0, false, nil
}
