package cgroup

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestParseCPUList(t *testing.T) {
	tests := []struct {
		in      string
		want    string // canonical String()
		count   int
		wantErr error
	}{
		{"0-1\n", "0-1", 2, nil}, // this host's cpuset.effective_cpus and cpu/online
		{"0-3,8,10-11\n", "0-3,8,10-11", 7, nil},
		{"0\n", "0", 1, nil},
		{"", "", 0, nil}, // a new v1 cpuset child
		{"\n", "", 0, nil},
		{"  \t\n", "", 0, nil},
		{"0-63\n", "0-63", 64, nil},
		{"0-64\n", "0-64", 65, nil},
		{"63-64\n", "63-64", 2, nil},
		{"3,2,1,0\n", "0-3", 4, nil},
		{"0-3,2-5\n", "0-5", 6, nil},
		{"5-5\n", "5", 1, nil},
		{"007\n", "7", 1, nil},
		{"1,3,5,7\n", "1,3,5,7", 4, nil},
		{"0-65535\n", "0-65535", 65536, nil},
		{"65535\n", "65535", 1, nil},
		{" 2-3 ", "2-3", 2, nil},
		{"65536\n", "", 0, ErrRange},
		{"0-65536\n", "", 0, ErrRange},
		{"99999999999999999999999\n", "", 0, ErrRange},
		{"3-1\n", "", 0, ErrRange},
		{"-1\n", "", 0, ErrSyntax},
		{"0-\n", "", 0, ErrSyntax},
		{",1\n", "", 0, ErrSyntax},
		{"1,\n", "", 0, ErrSyntax},
		{"1,,2\n", "", 0, ErrSyntax},
		{"1-2-3\n", "", 0, ErrSyntax},
		{"0 - 3\n", "", 0, ErrSyntax},
		{"0, 1\n", "", 0, ErrSyntax},
		{"0-3:1/2\n", "", 0, ErrSyntax}, // group syntax is accepted on write only
		{"a\n", "", 0, ErrSyntax},
		{"0x1\n", "", 0, ErrSyntax},
		{"1\n2\n", "", 0, ErrSyntax},
	}
	for _, tt := range tests {
		s, err := ParseCPUList([]byte(tt.in))
		if tt.wantErr != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, tt.wantErr) {
				t.Errorf("ParseCPUList(%q) error = %v, want *ParseError wrapping %v", tt.in, err, tt.wantErr)
			}
			if !s.IsEmpty() {
				t.Errorf("ParseCPUList(%q) returned a non-empty set with an error", tt.in)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseCPUList(%q): %v", tt.in, err)
			continue
		}
		if got := s.String(); got != tt.want {
			t.Errorf("ParseCPUList(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
		if got := s.Count(); got != tt.count {
			t.Errorf("ParseCPUList(%q).Count() = %d, want %d", tt.in, got, tt.count)
		}
		if s.IsEmpty() != (tt.count == 0) {
			t.Errorf("ParseCPUList(%q).IsEmpty() = %v", tt.in, s.IsEmpty())
		}
	}
}

func TestParseCPUListErrorQuotesInput(t *testing.T) {
	_, err := ParseCPUList([]byte("3-1\n"))
	want := `cgroup: parsing cpu list "3-1": value out of range`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

func TestCPUSetContains(t *testing.T) {
	s, err := ParseCPUList([]byte("0-3,8,10-11,64\n"))
	if err != nil {
		t.Fatal(err)
	}
	in := map[int]bool{0: true, 1: true, 2: true, 3: true, 8: true, 10: true, 11: true, 64: true}
	for cpu := -2; cpu < 200; cpu++ {
		if got := s.Contains(cpu); got != in[cpu] {
			t.Errorf("Contains(%d) = %v, want %v", cpu, got, in[cpu])
		}
	}
	var zero CPUSet
	if zero.Contains(0) || !zero.IsEmpty() || zero.Count() != 0 || zero.String() != "" {
		t.Errorf("zero CPUSet is not the empty set: %q", zero.String())
	}
}

func TestCPUSetEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"0-3", "0,1,2,3", true},
		{"0-3", "0-2", false},
		{"", "", true},
		{"", "0", false},
		{"100", "100", true},
		{"1", "100", false},
		{"0-3,100", "0-3", false},
		{"0-127", "0-63,64-127", true},
	}
	for _, tt := range tests {
		a, errA := ParseCPUList([]byte(tt.a))
		b, errB := ParseCPUList([]byte(tt.b))
		if errA != nil || errB != nil {
			t.Fatalf("parse: %v %v", errA, errB)
		}
		if got := a.Equal(b); got != tt.want {
			t.Errorf("%q.Equal(%q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := b.Equal(a); got != tt.want {
			t.Errorf("%q.Equal(%q) = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
	// Equal ignores bitmap length: a longer bitmap with zero high words.
	long := CPUSet{words: []uint64{1, 0, 0}}
	short, _ := ParseCPUList([]byte("0"))
	if !long.Equal(short) || !short.Equal(long) || !long.Equal(long) {
		t.Error("Equal depends on bitmap length")
	}
	if (CPUSet{words: []uint64{0}}).Equal(short) || !(CPUSet{words: []uint64{0, 0}}).Equal(CPUSet{}) {
		t.Error("Equal wrong for zero words")
	}
}

func TestParseCPUListAllocatesAtMostOnce(t *testing.T) {
	in := []byte("0-3,8,10-11,100-127\n")
	empty := []byte("\n")
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = ParseCPUList(in)
	})
	if allocs > 1 {
		t.Errorf("ParseCPUList allocated %v times, want at most 1", allocs)
	}
	allocs = testing.AllocsPerRun(100, func() {
		_, _ = ParseCPUList(empty)
	})
	if allocs != 0 {
		t.Errorf("ParseCPUList of an empty list allocated %v times, want 0", allocs)
	}
}

func BenchmarkParseCPUList(b *testing.B) {
	in := []byte("0-3,8,10-11,16-31\n")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCPUList(in); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzParseCPUList checks that String re-parses to an equal set, that Count
// agrees with Contains and with CountCPUList, and that every ID the input
// names is in the set.
func FuzzParseCPUList(f *testing.F) {
	for _, s := range []string{"0-3,8,10-11\n", "", "\n", "0", "3-1", "65535", "65536", "0-65535", "1,,2", "63-64,128"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseCPUList(b)
		n, countErr := CountCPUList(b)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || !(errors.Is(err, ErrSyntax) || errors.Is(err, ErrRange)) {
				t.Fatalf("ParseCPUList(%q) error %v is not a *ParseError wrapping a sentinel", b, err)
			}
			if countErr == nil {
				t.Fatalf("CountCPUList(%q) = %d accepts what ParseCPUList rejects: %v", b, n, err)
			}
			return
		}
		if countErr == nil && n != s.Count() {
			t.Fatalf("CountCPUList(%q) = %d, ParseCPUList counts %d", b, n, s.Count())
		}
		str := s.String()
		again, err := ParseCPUList([]byte(str))
		if err != nil || !again.Equal(s) || again.String() != str {
			t.Fatalf("ParseCPUList(%q).String() = %q re-parsed to %q, %v", b, str, again.String(), err)
		}
		count := 0
		for cpu := range cpuIDLimit {
			if s.Contains(cpu) {
				count++
			}
		}
		if count != s.Count() || s.IsEmpty() != (count == 0) {
			t.Fatalf("ParseCPUList(%q): Count %d, Contains counts %d, IsEmpty %v", b, s.Count(), count, s.IsEmpty())
		}
		for _, id := range namedIDs(string(b)) {
			if !s.Contains(id) {
				t.Fatalf("ParseCPUList(%q) lacks CPU %d", b, id)
			}
		}
	})
}

// namedIDs returns the range ends named in an accepted cpu list, using only
// strings and strconv.
func namedIDs(list string) []int {
	var ids []int
	for _, elem := range strings.Split(strings.TrimSpace(list), ",") {
		for _, end := range strings.Split(elem, "-") {
			if id, err := strconv.Atoi(end); err == nil {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

func TestCountCPUListDoesNotAllocate(t *testing.T) {
	in := []byte("0-3,8,10-11,100-127\n")
	if allocs := testing.AllocsPerRun(100, func() { _, _ = CountCPUList(in) }); allocs != 0 {
		t.Errorf("CountCPUList allocated %v times, want 0", allocs)
	}
}

func TestCountCPUList(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"0-1\n", 2, true},
		{"0\n", 1, true},
		{"0-3,8,10-11", 7, true},
		{"", 0, true},
		{"0-63,64-127\n", 128, true},
		{"3-1", 0, false},
		{"0-3,2-5", 0, false},
		{"4,1", 0, false},
		{"0,", 0, false},
		{"0-", 0, false},
		{"x", 0, false},
		{"70000", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := CountCPUList([]byte(tt.in))
			if !tt.ok {
				var pe *ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("CountCPUList(%q) = %d, %v; want a *ParseError", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("CountCPUList(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
			set, err := ParseCPUList([]byte(tt.in))
			if err != nil || set.Count() != got {
				t.Fatalf("ParseCPUList(%q).Count() = %d, %v; CountCPUList says %d", tt.in, set.Count(), err, got)
			}
		})
	}
}
