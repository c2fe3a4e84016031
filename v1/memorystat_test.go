package v1

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/parsetest"
)

// hostMemoryStat is /sys/fs/cgroup/memory/memory.stat (the v1 root) on a
// Linux 6.18 hybrid host with swap accounting.
const hostMemoryStat = `cache 9310208
rss 4706304
rss_huge 0
shmem 9166848
mapped_file 7532544
dirty 4096
writeback 0
workingset_refault_anon 0
workingset_refault_file 91
swap 0
swapcached 0
pgpgin 20848
pgpgout 17426
pgfault 20988
pgmajfault 0
inactive_anon 0
active_anon 1531904
inactive_file 0
active_file 143360
unevictable 12341248
hierarchical_memory_limit 9223372036854771712
hierarchical_memsw_limit 9223372036854771712
total_cache 57892864
total_rss 10698752
total_rss_huge 0
total_shmem 9166848
total_mapped_file 10973184
total_dirty 180224
total_writeback 0
total_workingset_refault_anon 0
total_workingset_refault_file 37580
total_swap 0
total_swapcached 0
total_pgpgin 1303000
total_pgpgout 1286478
total_pgfault 1488083
total_pgmajfault 456
total_inactive_anon 5873664
total_active_anon 1576960
total_inactive_file 34369536
total_active_file 14356480
total_unevictable 12341248
`

// limitedNoSwapMemoryStat has the shape of a container's memory.stat on a
// 3.10 kernel without swap accounting: a 512 MiB limit set by an ancestor,
// no hierarchical_memsw_limit line.
const limitedNoSwapMemoryStat = `cache 1228800
rss 5779456
rss_huge 0
mapped_file 860160
swap 0
pgpgin 4283
pgpgout 2572
pgfault 7170
pgmajfault 8
inactive_anon 0
active_anon 5779456
inactive_file 753664
active_file 475136
unevictable 0
hierarchical_memory_limit 536870912
total_cache 1228800
total_rss 5779456
`

func TestParseMemoryStat(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    MemoryStatLimits
		wantErr error
	}{
		{"host root, unlimited", hostMemoryStat, MemoryStatLimits{
			HierarchicalMemoryLimit: 9223372036854771712, HasHierarchicalMemoryLimit: true,
			HierarchicalMemswLimit: 9223372036854771712, HasHierarchicalMemswLimit: true,
		}, nil},
		{"limited, no swap accounting", limitedNoSwapMemoryStat, MemoryStatLimits{
			HierarchicalMemoryLimit: 536870912, HasHierarchicalMemoryLimit: true,
		}, nil},
		{"64 KiB pages", "hierarchical_memory_limit 9223372036854710272\nhierarchical_memsw_limit 1073741824\n",
			MemoryStatLimits{
				HierarchicalMemoryLimit: 9223372036854710272, HasHierarchicalMemoryLimit: true,
				HierarchicalMemswLimit: 1073741824, HasHierarchicalMemswLimit: true,
			}, nil},
		{"empty", "", MemoryStatLimits{}, nil},
		{"other garbage ignored", "cache x\nhierarchical_memory_limit 4096\n", MemoryStatLimits{
			HierarchicalMemoryLimit: 4096, HasHierarchicalMemoryLimit: true,
		}, nil},
		{"bad memory limit", "hierarchical_memory_limit -1\n", MemoryStatLimits{}, cgroup.ErrSyntax},
		{"bad memsw limit", "hierarchical_memory_limit 1\nhierarchical_memsw_limit\n", MemoryStatLimits{}, cgroup.ErrSyntax},
		{"overflow", "hierarchical_memory_limit 18446744073709551616\n", MemoryStatLimits{}, cgroup.ErrRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMemoryStat([]byte(tt.in))
			parsetest.CheckErr(t, err, tt.wantErr)
			if got != tt.want {
				t.Fatalf("ParseMemoryStat = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseMemoryStatErrorNamesKey(t *testing.T) {
	_, err := ParseMemoryStat([]byte("hierarchical_memsw_limit 1k\n"))
	want := `cgroup: parsing memory.stat hierarchical_memsw_limit "hierarchical_memsw_limit 1k": invalid syntax`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

func BenchmarkParseMemoryStat(b *testing.B) {
	in := []byte(hostMemoryStat)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseMemoryStat(in); err != nil {
			b.Fatal(err)
		}
	}
}

func TestParseMemoryStatDoesNotAllocate(t *testing.T) {
	in := []byte(hostMemoryStat)
	allocs := testing.AllocsPerRun(100, func() { _, _ = ParseMemoryStat(in) })
	if allocs != 0 {
		t.Fatalf("got %v allocations, want 0", allocs)
	}
}

// FuzzParseMemoryStat checks ParseMemoryStat against a line-by-line
// reference and that values written back in kernel format parse the same.
func FuzzParseMemoryStat(f *testing.F) {
	f.Add([]byte(hostMemoryStat))
	f.Add([]byte(limitedNoSwapMemoryStat))
	f.Add([]byte("hierarchical_memory_limit\n"))
	f.Add([]byte("hierarchical_memory_limit 1 2\nhierarchical_memsw_limit 3"))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParseMemoryStat(b)
		mem, memFound, memOK := referenceKey(b, "hierarchical_memory_limit")
		sw, swFound, swOK := referenceKey(b, "hierarchical_memsw_limit")
		if !memOK || !swOK {
			if err == nil {
				t.Fatalf("ParseMemoryStat(%q) accepted a malformed limit line: %+v", b, got)
			}
			parsetest.CheckAnyParseError(t, err)
			return
		}
		want := MemoryStatLimits{mem, sw, memFound, swFound}
		if err != nil || got != want {
			t.Fatalf("ParseMemoryStat(%q) = %+v, %v; reference %+v", b, got, err, want)
		}
		var canonical []byte
		if got.HasHierarchicalMemoryLimit {
			canonical = append(canonical, "hierarchical_memory_limit "+strconv.FormatUint(got.HierarchicalMemoryLimit, 10)+"\n"...)
		}
		if got.HasHierarchicalMemswLimit {
			canonical = append(canonical, "hierarchical_memsw_limit "+strconv.FormatUint(got.HierarchicalMemswLimit, 10)+"\n"...)
		}
		again, err := ParseMemoryStat(canonical)
		if err != nil || again != got {
			t.Fatalf("canonical %q parsed to %+v, %v; want %+v", canonical, again, err, got)
		}
	})
}

// referenceKey is the slow version of a flat keyed lookup: the first line
// whose first field is key must have exactly one more field, a uint64.
func referenceKey(b []byte, key string) (v uint64, found, ok bool) {
	for _, line := range bytes.Split(b, []byte("\n")) {
		fields := bytes.FieldsFunc(line, isASCIISpace)
		if len(fields) == 0 || string(fields[0]) != key || !bytes.HasPrefix(line, []byte(key)) {
			continue
		}
		if len(fields) != 2 {
			return 0, false, false
		}
		n, err := strconv.ParseUint(string(fields[1]), 10, 64)
		if err != nil {
			return 0, false, false
		}
		return n, true, true
	}
	return 0, false, true
}

// isASCIISpace reports the white space the kernel writes; unlike
// bytes.Fields it leaves Unicode spaces inside fields.
func isASCIISpace(r rune) bool {
	return strings.ContainsRune(" \t\n\r\v\f", r)
}

func TestParseMemoryStatUsage(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    MemoryStatUsage
		wantErr error
	}{
		{"host root", hostMemoryStat, MemoryStatUsage{
			TotalRSS: 10698752, TotalCache: 57892864, TotalShmem: 9166848, TotalInactiveFile: 34369536,
			HasTotalRSS: true, HasTotalCache: true, HasTotalShmem: true, HasTotalInactiveFile: true,
		}, nil},
		{"3.10 head, no total_shmem", limitedNoSwapMemoryStat, MemoryStatUsage{
			TotalRSS: 5779456, TotalCache: 1228800, HasTotalRSS: true, HasTotalCache: true,
		}, nil},
		{"whole keys: rss, total_rss_huge and inactive_file are not read",
			"rss 1\ntotal_rss_huge 2\ninactive_file 3\ncache 4\nshmem 5\n", MemoryStatUsage{}, nil},
		{"first duplicate wins", "total_cache 1\ntotal_cache 2\n", MemoryStatUsage{TotalCache: 1, HasTotalCache: true}, nil},
		{"CRLF and extra spaces", "total_rss  7\r\ntotal_shmem\t8 \r\n",
			MemoryStatUsage{TotalRSS: 7, TotalShmem: 8, HasTotalRSS: true, HasTotalShmem: true}, nil},
		{"other garbage ignored", "cache x\n\ntotal_inactive_file 4096",
			MemoryStatUsage{TotalInactiveFile: 4096, HasTotalInactiveFile: true}, nil},
		{"empty", "", MemoryStatUsage{}, nil},
		{"garbage value", "total_rss 1\ntotal_cache 12k\n", MemoryStatUsage{}, cgroup.ErrSyntax},
		{"missing value", "total_inactive_file\n", MemoryStatUsage{}, cgroup.ErrSyntax},
		{"negative", "total_shmem -1\n", MemoryStatUsage{}, cgroup.ErrSyntax},
		{"overflow", "total_rss 18446744073709551616\n", MemoryStatUsage{}, cgroup.ErrRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMemoryStatUsage([]byte(tt.in))
			parsetest.CheckErr(t, err, tt.wantErr)
			if got != tt.want {
				t.Fatalf("ParseMemoryStatUsage = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// hostOOMControl is /sys/fs/cgroup/memory/memory.oom_control on a Linux
// 6.18 host.
const hostOOMControl = "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n"

func TestParseOOMControl(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    uint64
		has     bool
		wantErr error
	}{
		{"host root", hostOOMControl, 0, true, nil},
		{"killed", "oom_kill_disable 0\nunder_oom 1\noom_kill 17\n", 17, true, nil},
		{"before 4.13, no oom_kill line", "oom_kill_disable 1\nunder_oom 0\n", 0, false, nil},
		{"oom_kill_disable is not oom_kill", "oom_kill_disable 1\n", 0, false, nil},
		{"other lines not parsed", "oom_kill_disable x\nunder_oom\noom_kill 2\n", 2, true, nil},
		{"CRLF", "oom_kill 3\r\n", 3, true, nil},
		{"empty", "", 0, false, nil},
		{"garbage", "oom_kill yes\n", 0, false, cgroup.ErrSyntax},
		{"overflow", "oom_kill 18446744073709551616\n", 0, false, cgroup.ErrRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, has, err := ParseOOMControl([]byte(tt.in))
			parsetest.CheckErr(t, err, tt.wantErr)
			if got != tt.want || has != tt.has {
				t.Fatalf("ParseOOMControl = %d, %v; want %d, %v", got, has, tt.want, tt.has)
			}
		})
	}
}
