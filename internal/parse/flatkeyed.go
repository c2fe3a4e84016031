package parse

import "bytes"

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
		if v, found, err = keyedValue(line, key); found || err != nil {
			return v, found, err
		}
	}
	return 0, false, nil
}

// keyedValue is FlatKeyed's rule for one line: found when line's first field
// is key (key followed by white space or the end of the line), and then the
// rest, trimmed, must be a decimal number. key must not be empty.
func keyedValue(line []byte, key string) (v uint64, found bool, err error) {
	if len(line) < len(key) || string(line[:len(key)]) != key {
		return 0, false, nil
	}
	rest := line[len(key):]
	if len(rest) > 0 && !isSpace(rest[0]) {
		return 0, false, nil
	}
	if v, err = Digits(TrimSpace(rest)); err != nil {
		return 0, false, NewError(key, line, err)
	}
	return v, true, nil
}

// FlatKeyedAll is FlatKeyed for several keys in one pass over b: for each
// line whose first field is keys[i] it parses the value into vals[i] and sets
// bit i of found. It applies FlatKeyed's rule for a line (keyedValue) to
// each line. As with FlatKeyed the first line with a key wins, lines for
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
	// firsts holds the first bytes of the keys, one bit each: a line that
	// starts with none of them is skipped without looking at the keys.
	var firsts [4]uint64
	for _, key := range keys {
		if key != "" {
			firsts[key[0]>>6] |= 1 << (key[0] & 63)
		}
	}
	for len(b) > 0 && found != all {
		var line []byte
		line, b = NextLine(b)
		if len(line) == 0 || firsts[line[0]>>6]&(1<<(line[0]&63)) == 0 {
			continue
		}
		space := -1 // where the line's first space is, found when needed
		for i, key := range keys {
			// The first byte skips most lines for other keys.
			if found&(1<<i) != 0 || key == "" || key[0] != line[0] {
				continue
			}
			// keyedValue's rule, decided by one byte where it can. The
			// kernel ends a key with a space: there the line's first field
			// ends unless other white space comes first. A key as long as
			// the text before the space is followed by it; a shorter one
			// must be followed by other white space; a longer one must
			// hold the space itself.
			if space < 0 {
				if space = bytes.IndexByte(line, ' '); space < 0 {
					space = len(line)
				}
			}
			switch {
			case len(key) < space:
				if !isSpace(line[len(key)]) {
					continue
				}
			case len(key) > space:
				if space == len(line) || key[space] != ' ' {
					continue
				}
			}
			v, ok, err := keyedValue(line, key)
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
