package parse_test

import (
	"bytes"
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
