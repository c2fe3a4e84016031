package parse_test

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/truelimit/truelimit/internal/parse"
	"github.com/truelimit/truelimit/internal/parsetest"
)

// hostV1MemoryStat is the head of /sys/fs/cgroup/memory/memory.stat on a
// Linux 6.18 hybrid host.
const hostV1MemoryStat = `cache 9310208
rss 4706304
rss_huge 0
shmem 9166848
mapped_file 7532544
dirty 4096
writeback 0
swap 0
hierarchical_memory_limit 9223372036854771712
hierarchical_memsw_limit 9223372036854771712
total_cache 57892864
total_rss 10698752
`

// hostV2CPUStat is /sys/fs/cgroup/unified/cpu.stat on the same host.
const hostV2CPUStat = `usage_usec 195480000
user_usec 122204000
system_usec 73276000
nice_usec 0
`

// v2MemoryEvents has the shape of a cgroup v2 memory.events file
// (Documentation/admin-guide/cgroup-v2.rst).
const v2MemoryEvents = "low 0\nhigh 12\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n"

func TestFlatKeyed(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		key     string
		want    uint64
		found   bool
		wantErr error
	}{
		{"v1 memory.stat first line", hostV1MemoryStat, "cache", 9310208, true, nil},
		{"v1 memory.stat whole key, not suffix", hostV1MemoryStat, "total_cache", 57892864, true, nil},
		{"v1 memory.stat hierarchical limit", hostV1MemoryStat, "hierarchical_memory_limit", 9223372036854771712, true, nil},
		{"v1 memory.stat prefix of a key is absent", hostV1MemoryStat, "hierarchical", 0, false, nil},
		{"v1 memory.stat missing key", hostV1MemoryStat, "anon", 0, false, nil},
		{"cpu.stat first line", hostV2CPUStat, "usage_usec", 195480000, true, nil},
		{"cpu.stat last line", hostV2CPUStat, "nice_usec", 0, true, nil},
		{"memory.events oom_kill not oom", v2MemoryEvents, "oom", 1, true, nil},
		{"memory.events max", v2MemoryEvents, "max", 3, true, nil},
		{"memory.events high", v2MemoryEvents, "high", 12, true, nil},
		{"no trailing newline", "a 1\nb 2", "b", 2, true, nil},
		{"CRLF and tabs", "a\t1\r\nb \t 2\r\n", "b", 2, true, nil},
		{"first duplicate wins", "a 1\na 2\n", "a", 1, true, nil},
		{"empty input", "", "a", 0, false, nil},
		{"empty key", "a 1\n", "", 0, false, nil},
		{"other malformed lines skipped", "junk\nx y z\na 5\n", "a", 5, true, nil},
		{"key line without value", "a\nb 2\n", "a", 0, false, parse.ErrSyntax},
		{"key line with garbage", "a 1x\n", "a", 0, false, parse.ErrSyntax},
		{"key line with two values", "a 1 2\n", "a", 0, false, parse.ErrSyntax},
		{"key line negative", "a -1\n", "a", 0, false, parse.ErrSyntax},
		{"key line overflow", "a 18446744073709551616\n", "a", 0, false, parse.ErrRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, found, err := parse.FlatKeyed([]byte(tt.in), tt.key)
			parsetest.CheckErr(t, err, tt.wantErr)
			if v != tt.want || found != tt.found {
				t.Fatalf("FlatKeyed(%q) = %d, %v; want %d, %v", tt.key, v, found, tt.want, tt.found)
			}
		})
	}
}

func TestFlatKeyedErrorNamesKeyAndLine(t *testing.T) {
	_, _, err := parse.FlatKeyed([]byte("cache 1\nrss 12k\n"), "rss")
	want := `cgroup: parsing rss "rss 12k": invalid syntax`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

func TestFlatKeyedDoesNotAllocate(t *testing.T) {
	in := []byte(hostV1MemoryStat)
	allocs := testing.AllocsPerRun(100, func() {
		_, _, _ = parse.FlatKeyed(in, "hierarchical_memsw_limit")
	})
	if allocs != 0 {
		t.Fatalf("got %v allocations, want 0", allocs)
	}
}

func BenchmarkFlatKeyed(b *testing.B) {
	in := []byte(hostV1MemoryStat)
	b.ReportAllocs()
	for b.Loop() {
		if _, found, err := parse.FlatKeyed(in, "total_rss"); err != nil || !found {
			b.Fatal(found, err)
		}
	}
}

// FuzzFlatKeyed compares FlatKeyed with a straightforward reference built
// from bytes.Fields, and checks that a value appended under a fresh key is
// found again.
func FuzzFlatKeyed(f *testing.F) {
	f.Add([]byte(hostV1MemoryStat), "total_cache")
	f.Add([]byte(hostV2CPUStat), "usage_usec")
	f.Add([]byte(v2MemoryEvents), "oom")
	f.Add([]byte("a\nb 2"), "a")
	f.Add([]byte("a 1 2\n"), "a")
	f.Fuzz(func(t *testing.T, b []byte, key string) {
		v, found, err := parse.FlatKeyed(b, key)
		rv, rfound, rok := referenceFlatKeyed(b, key)
		if !rok {
			if err == nil {
				t.Fatalf("FlatKeyed(%q, %q) = %d, %v; reference says malformed", b, key, v, found)
			}
			return
		}
		if err != nil || found != rfound || v != rv {
			t.Fatalf("FlatKeyed(%q, %q) = %d, %v, %v; reference %d, %v", b, key, v, found, err, rv, rfound)
		}
		if key == "" || bytes.ContainsAny([]byte(key), " \t\n\r\v\f") || found {
			return
		}
		appended := append(append([]byte(nil), b...), "\n"+key+" 12345\n"...)
		v, found, err = parse.FlatKeyed(appended, key)
		if err != nil || !found || v != 12345 {
			t.Fatalf("appended key %q: got %d, %v, %v", key, v, found, err)
		}
	})
}

// referenceFlatKeyed is the slow, obviously right version: split into lines,
// split each line into fields, the first line whose first field is key must
// have exactly one more field, a decimal uint64. ok is false when that line
// is malformed.
func referenceFlatKeyed(b []byte, key string) (v uint64, found, ok bool) {
	if key == "" {
		return 0, false, true
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if !bytes.HasPrefix(line, []byte(key)) {
			continue
		}
		rest := line[len(key):]
		if len(rest) > 0 && !bytes.ContainsAny(rest[:1], " \t\r\v\f") {
			continue
		}
		fields := bytes.FieldsFunc(rest, func(r rune) bool { return strings.ContainsRune(" \t\n\r\v\f", r) })
		if len(fields) != 1 {
			return 0, false, false
		}
		n, err := strconv.ParseUint(string(fields[0]), 10, 64)
		if err != nil {
			return 0, false, false
		}
		return n, true, true
	}
	return 0, false, true
}

func TestFlatKeyedAll(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		keys    []string
		want    []uint64
		found   uint64
		wantErr error
	}{
		{"v1 memory.stat usage", hostV1MemoryStat, []string{"total_rss", "total_cache", "shmem", "cache"},
			[]uint64{10698752, 57892864, 9166848, 9310208}, 0b1111, nil},
		{"whole keys, not prefixes or suffixes", hostV1MemoryStat, []string{"rss", "total", "hierarchical", "rss_huge"},
			[]uint64{4706304, 0, 0, 0}, 0b1001, nil},
		{"missing keys", hostV2CPUStat, []string{"nr_periods", "usage_usec", "throttled_usec"},
			[]uint64{0, 195480000, 0}, 0b010, nil},
		{"memory.events oom and oom_kill", v2MemoryEvents, []string{"oom_kill", "oom", "high", "max"},
			[]uint64{1, 1, 12, 3}, 0b1111, nil},
		{"first duplicate wins", "a 1\nb 2\na 3\nb 4\n", []string{"b", "a"}, []uint64{2, 1}, 0b11, nil},
		{"later malformed duplicate ignored", "a 1\na x\n", []string{"a"}, []uint64{1}, 0b1, nil},
		{"same key twice in keys", "a 7\n", []string{"a", "a"}, []uint64{7, 7}, 0b11, nil},
		{"empty key never found", "a 1\n", []string{"", "a"}, []uint64{0, 1}, 0b10, nil},
		{"no keys", "a 1\n", nil, nil, 0, nil},
		{"empty input", "", []string{"a"}, []uint64{0}, 0, nil},
		{"CRLF, tabs, no trailing newline", "a\t1\r\nb \t 2\r\nc 3", []string{"c", "b", "a"}, []uint64{3, 2, 1}, 0b111, nil},
		{"other malformed lines skipped", "junk\nx y z\na 5\n", []string{"a"}, []uint64{5}, 0b1, nil},
		{"stops once all are found", "a 1\nb junk\n", []string{"a"}, []uint64{1}, 0b1, nil},
		{"wanted line without value", "a 1\nb\n", []string{"a", "b"}, []uint64{0, 0}, 0, parse.ErrSyntax},
		{"wanted line with two values", "b 1 2\n", []string{"a", "b"}, []uint64{0, 0}, 0, parse.ErrSyntax},
		{"wanted line negative", "a -1\n", []string{"a"}, []uint64{0}, 0, parse.ErrSyntax},
		{"wanted line overflow", "a 18446744073709551616\n", []string{"a"}, []uint64{0}, 0, parse.ErrRange},
		{"max uint64", "a 18446744073709551615\n", []string{"a"}, []uint64{18446744073709551615}, 0b1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vals := make([]uint64, len(tt.keys)+1)
			for i := range vals {
				vals[i] = 99 // overwritten for every key, left alone past them
			}
			found, err := parse.FlatKeyedAll([]byte(tt.in), tt.keys, vals)
			parsetest.CheckErr(t, err, tt.wantErr)
			if found != tt.found || !slices.Equal(vals[:len(tt.keys)], tt.want) || vals[len(tt.keys)] != 99 {
				t.Fatalf("FlatKeyedAll(%q) = %b, %v; want %b, %v", tt.keys, found, vals, tt.found, tt.want)
			}
		})
	}
}

func TestFlatKeyedAllSixtyFourKeys(t *testing.T) {
	var in strings.Builder
	keys := make([]string, 64)
	for i := range keys {
		keys[i] = "k" + strconv.Itoa(i)
		in.WriteString(keys[i] + " " + strconv.Itoa(i*10) + "\n")
	}
	vals := make([]uint64, 64)
	found, err := parse.FlatKeyedAll([]byte(in.String()), keys, vals)
	if err != nil || found != math.MaxUint64 || vals[63] != 630 {
		t.Fatalf("got %b, %v, vals[63] = %d", found, err, vals[63])
	}
	defer func() {
		if recover() == nil {
			t.Fatal("65 keys did not panic")
		}
	}()
	_, _ = parse.FlatKeyedAll(nil, append(keys, "k64"), make([]uint64, 65))
}

func TestFlatKeyedAllErrorNamesKeyAndLine(t *testing.T) {
	_, err := parse.FlatKeyedAll([]byte("cache 1\nrss 12k\n"), []string{"cache", "rss"}, make([]uint64, 2))
	want := `cgroup: parsing rss "rss 12k": invalid syntax`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

func TestFlatKeyedAllDoesNotAllocate(t *testing.T) {
	in := []byte(hostV1MemoryStat)
	keys := []string{"total_rss", "total_cache", "total_shmem", "total_inactive_file"}
	vals := make([]uint64, len(keys))
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = parse.FlatKeyedAll(in, keys, vals)
	})
	if allocs != 0 {
		t.Fatalf("got %v allocations, want 0", allocs)
	}
}

func BenchmarkFlatKeyedAll(b *testing.B) {
	in := []byte(hostV1MemoryStat)
	keys := []string{"total_rss", "total_cache", "total_shmem", "total_inactive_file"}
	vals := make([]uint64, len(keys))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parse.FlatKeyedAll(in, keys, vals); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzFlatKeyedAll checks that FlatKeyedAll agrees with FlatKeyed key by
// key: the same values and found bits, and, when some key's line is
// malformed, the error FlatKeyed gives for the key whose line comes first.
// The keys are keyList split at each space, so empty keys occur too.
func FuzzFlatKeyedAll(f *testing.F) {
	f.Add([]byte(hostV1MemoryStat), "total_cache total_rss shmem hierarchical")
	f.Add([]byte(hostV2CPUStat), "usage_usec nr_periods nice_usec")
	f.Add([]byte(v2MemoryEvents), "oom oom_kill max high low")
	f.Add([]byte("a 1\nb\na 2"), "a b a")
	f.Add([]byte("a 1 2\nb x\n"), "b a ")
	f.Fuzz(func(t *testing.T, b []byte, keyList string) {
		keys := strings.Split(keyList, " ")
		if len(keys) > 64 {
			keys = keys[:64]
		}
		vals := make([]uint64, len(keys))
		found, err := parse.FlatKeyedAll(b, keys, vals)
		firstErr, firstAt := error(nil), len(b)+1
		for i, key := range keys {
			v, ok, kerr := parse.FlatKeyed(b, key)
			if kerr != nil {
				if at := firstLineOf(b, key); at < firstAt {
					firstErr, firstAt = kerr, at
				}
				continue
			}
			if err == nil && (v != vals[i] || ok != (found&(1<<i) != 0)) {
				t.Fatalf("key %q: FlatKeyedAll %d, %v; FlatKeyed %d, %v", key, vals[i], found&(1<<i) != 0, v, ok)
			}
		}
		if (err == nil) != (firstErr == nil) || (err != nil && err.Error() != firstErr.Error()) {
			t.Fatalf("FlatKeyedAll(%q, %q) err %v; FlatKeyed's first %v", b, keys, err, firstErr)
		}
		if err != nil && (found != 0 || slices.ContainsFunc(vals, func(v uint64) bool { return v != 0 })) {
			t.Fatalf("FlatKeyedAll(%q, %q) returned values with error: %b %v", b, keys, found, vals)
		}
	})
}

// firstLineOf returns the index of the first line of b whose first field
// is key, or -1.
func firstLineOf(b []byte, key string) int {
	for i, line := range bytes.Split(b, []byte("\n")) {
		rest, ok := bytes.CutPrefix(line, []byte(key))
		if ok && (len(rest) == 0 || bytes.ContainsAny(rest[:1], " \t\r\v\f")) {
			return i
		}
	}
	return -1
}
