package v1

import (
	"testing"

	"github.com/truelimit/truelimit/internal/parsetest"
)

// flatKeyedParsers are the package's parsers of flat keyed files, for
// FuzzFlatKeyedFiles.
var flatKeyedParsers = []parsetest.FlatKeyed{
	{File: MemoryStat, Keys: []string{"total_rss", "total_cache", "total_shmem", "total_inactive_file"},
		Parse: func(b []byte) ([]uint64, []bool, error) {
			s, err := ParseMemoryStatUsage(b)
			return []uint64{s.TotalRSS, s.TotalCache, s.TotalShmem, s.TotalInactiveFile},
				[]bool{s.HasTotalRSS, s.HasTotalCache, s.HasTotalShmem, s.HasTotalInactiveFile}, err
		}},
	{File: MemoryOOMControl, Keys: []string{"oom_kill"},
		Parse: func(b []byte) ([]uint64, []bool, error) {
			n, has, err := ParseOOMControl(b)
			return []uint64{n}, []bool{has}, err
		}},
	{File: CPUStat, Keys: []string{"nr_periods", "nr_throttled", "throttled_time"},
		Parse: func(b []byte) ([]uint64, []bool, error) {
			s, err := ParseCPUStat(b)
			return []uint64{s.NrPeriods, s.NrThrottled, s.ThrottledTimeNs},
				[]bool{s.HasPeriods, s.HasThrottled, s.HasThrottledTime}, err
		}},
}

// FuzzFlatKeyedFiles checks ParseMemoryStatUsage, ParseOOMControl and
// ParseCPUStat against parse.FlatKeyed key by key, and that the values they
// find, written back as the kernel prints them, parse to the same.
func FuzzFlatKeyedFiles(f *testing.F) {
	for _, s := range []string{hostMemoryStat, limitedNoSwapMemoryStat, hostOOMControl, hostCPUStat, throttledCPUStat,
		"total_rss 1\ntotal_rss x\n", "oom_kill\n", "nr_periods 1 2\n", "throttled_time 18446744073709551616\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, p := range flatKeyedParsers {
			parsetest.CheckFlatKeyed(t, b, p)
		}
	})
}

func TestUsageParsersDoNotAllocate(t *testing.T) {
	stat, oom, cpu := []byte(hostMemoryStat), []byte(hostOOMControl), []byte(throttledCPUStat)
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = ParseMemoryStatUsage(stat)
		_, _, _ = ParseOOMControl(oom)
		_, _ = ParseCPUStat(cpu)
	})
	if allocs != 0 {
		t.Fatalf("got %v allocations, want 0", allocs)
	}
}

func TestUsageParsersNameFileAndKey(t *testing.T) {
	_, _, oomErr := ParseOOMControl([]byte("oom_kill -1\n"))
	tests := []struct {
		err  error
		want string
	}{
		{errOf(ParseMemoryStatUsage([]byte("total_rss 1\ntotal_cache 1k\n"))),
			`cgroup: parsing memory.stat total_cache "total_cache 1k": invalid syntax`},
		{oomErr, `cgroup: parsing memory.oom_control oom_kill "oom_kill -1": invalid syntax`},
		{errOf(ParseCPUStat([]byte("throttled_time 18446744073709551616\n"))),
			`cgroup: parsing cpu.stat throttled_time "throttled_time 18446744073709551616": value out of range`},
	}
	for _, tt := range tests {
		if tt.err == nil || tt.err.Error() != tt.want {
			t.Errorf("got %v, want %s", tt.err, tt.want)
		}
	}
}

// errOf returns the error of a parser's result.
func errOf[T any](_ T, err error) error { return err }
