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

// FlatKeyedAll is FlatKeyed for several keys in one pass over b: for each
// line whose first field is keys[i] it parses the value into vals[i] and sets
// bit i of found. It applies FlatKeyed to each line, so the rule for a line
// is in one place. As with FlatKeyed the first line with a key wins, lines for
// other keys (and later lines for a key already found) are not parsed, and an
// empty key is never found. err is non-nil only when a wanted key's line is
// malformed; it names that key, like FlatKeyed's, and found and vals are
// then all zero. vals[i] is 0 for every key not found.
//
// keys may hold at most 64 names and vals must be at least as long as keys;
// otherwise FlatKeyedAll panics. It stops reading once every key is found and
// does not allocate.
func FlatKeyedAll(b []byte, keys []string, vals []uint64) (found uint64, err error) {
	if len(keys) > 64 { // one bit each in found
		panic("parse: FlatKeyedAll: more than 64 keys")
	}
	vals = vals[:len(keys)]
	clear(vals)
	all := uint64(1)<<len(keys) - 1 // 1<<64 is 0 in Go, so 64 keys give all ones
	for len(b) > 0 && found != all {
		var line []byte
		line, b = NextLine(b)
		for i, key := range keys {
			// The prefix test only skips lines FlatKeyed would skip, four
			// times faster; FlatKeyed, given one line, decides.
			if found&(1<<i) != 0 || len(line) < len(key) || string(line[:len(key)]) != key {
				continue
			}
			v, ok, err := FlatKeyed(line, key)
			if err != nil {
				clear(vals)
				return 0, err
			}
			if ok {
				vals[i] = v
				found |= 1 << i
			}
		}
	}
	return found, nil
}
