package v2

import (
	"testing"

	"github.com/truelimit/truelimit/internal/parsetest"
)

// flatKeyedParsers are the package's parsers of flat keyed files, for
// FuzzFlatKeyedFiles.
var flatKeyedParsers = []parsetest.FlatKeyed{
	{File: MemoryStat, Keys: []string{"anon", "file", "kernel", "sock", "shmem", "inactive_file"},
		Parse: func(b []byte) ([]uint64, []bool, error) {
			s, err := ParseMemoryStatUsage(b)
			return []uint64{s.Anon, s.File, s.Kernel, s.Sock, s.Shmem, s.InactiveFile},
				[]bool{s.HasAnon, s.HasFile, s.HasKernel, s.HasSock, s.HasShmem, s.HasInactiveFile}, err
		}},
	{File: MemoryEvents, Keys: []string{"high", "max", "oom", "oom_kill"},
		Parse: func(b []byte) ([]uint64, []bool, error) {
			e, err := ParseMemoryEvents(b)
			return []uint64{e.High, e.Max, e.OOM, e.OOMKill}, []bool{e.HasHigh, e.HasMax, e.HasOOM, e.HasOOMKill}, err
		}},
	{File: CPUStat, Keys: []string{"usage_usec", "nr_periods", "nr_throttled", "throttled_usec"},
		Parse: func(b []byte) ([]uint64, []bool, error) {
			s, err := ParseCPUStat(b)
			return []uint64{s.UsageUsec, s.NrPeriods, s.NrThrottled, s.ThrottledUsec},
				[]bool{s.HasUsage, s.HasPeriods, s.HasThrottled, s.HasThrottledUsec}, err
		}},
}

// FuzzFlatKeyedFiles checks ParseMemoryStatUsage, ParseMemoryEvents and
// ParseCPUStat against parse.FlatKeyed key by key, and that the values they
// find, written back as the kernel prints them, parse to the same.
func FuzzFlatKeyedFiles(f *testing.F) {
	for _, s := range []string{memoryStat, oldMemoryStat, memoryEvents, hostCPUStat, throttledCPUStat,
		"anon 1\nanon x\n", "file\n", "oom 1 2\n", "usage_usec 18446744073709551616\n", "high 3\r\nmax\t4"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, p := range flatKeyedParsers {
			parsetest.CheckFlatKeyed(t, b, p)
		}
	})
}

func TestUsageParsersDoNotAllocate(t *testing.T) {
	stat, events, cpu, current := []byte(memoryStat), []byte(memoryEvents), []byte(throttledCPUStat), []byte("213909504\n")
	full, some := []byte(hostIOPressure), []byte(oldCPUPressure)
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = ParseMemoryStatUsage(stat)
		_, _ = ParseMemoryEvents(events)
		_, _ = ParseCPUStat(cpu)
		_, _ = ParseUint(current)
		_, _ = ParsePressure(full)
		_, _ = ParsePressure(some)
	})
	if allocs != 0 {
		t.Fatalf("got %v allocations, want 0", allocs)
	}
}

func TestUsageParsersNameFileAndKey(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{errOf(ParseMemoryStatUsage([]byte("anon 1\nfile 12k\n"))), `cgroup: parsing memory.stat file "file 12k": invalid syntax`},
		{errOf(ParseMemoryEvents([]byte("oom_kill -1\n"))), `cgroup: parsing memory.events oom_kill "oom_kill -1": invalid syntax`},
		{errOf(ParseCPUStat([]byte("nr_throttled x\n"))), `cgroup: parsing cpu.stat nr_throttled "nr_throttled x": invalid syntax`},
		{errOf(ParsePressure([]byte("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=1 \r\n"))),
			`cgroup: parsing *.pressure full "full avg10=1": invalid syntax`},
		{errOf(ParsePressure([]byte("some avg10=250.00 avg60=0.00 avg300=0.00 total=0\n"))),
			`cgroup: parsing *.pressure some "some avg10=250.00 avg60=0.00 avg300=0.00 total=0": value out of range`},
		{errOf(ParsePressure([]byte("1\n"))), `cgroup: parsing *.pressure "1": invalid syntax`},
	}
	for _, tt := range tests {
		if tt.err == nil || tt.err.Error() != tt.want {
			t.Errorf("got %v, want %s", tt.err, tt.want)
		}
	}
}

// errOf returns the error of a parser's result.
func errOf[T any](_ T, err error) error { return err }
