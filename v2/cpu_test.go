package v2

import (
	"math"
	"strconv"
	"testing"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/parsetest"
)

func TestParseCPUMax(t *testing.T) {
	tests := []struct {
		in            string
		quota, period uint64
		unlimited     bool
		wantErr       error
	}{
		{"max 100000\n", math.MaxUint64, 100000, true, nil}, // kernel default
		{"50000 100000\n", 50000, 100000, false, nil},
		{"150000 100000\n", 150000, 100000, false, nil},
		{"200000 100000", 200000, 100000, false, nil},
		{"max 50000\n", math.MaxUint64, 50000, true, nil},
		{"1000 1000\n", 1000, 1000, false, nil},
		{"1000000 1000000\n", 1000000, 1000000, false, nil},
		{"max\n", math.MaxUint64, 100000, true, nil},
		{"25000\n", 25000, 100000, false, nil},
		{"  50000\t100000 \n", 50000, 100000, false, nil},
		{"50000  100000", 50000, 100000, false, nil},
		{"0 100000\n", 0, 0, false, cgroup.ErrRange},
		{"999 100000\n", 0, 0, false, cgroup.ErrRange},
		{"0\n", 0, 0, false, cgroup.ErrRange},
		{"50000 0\n", 0, 0, false, cgroup.ErrRange},
		{"max 0\n", 0, 0, false, cgroup.ErrRange},
		{"50000 999\n", 0, 0, false, cgroup.ErrRange},
		{"50000 1000001\n", 0, 0, false, cgroup.ErrRange},
		{"50000 99999999999999999999\n", 0, 0, false, cgroup.ErrRange},
		{"", 0, 0, false, cgroup.ErrSyntax},
		{"\n", 0, 0, false, cgroup.ErrSyntax},
		{"-1 100000\n", 0, 0, false, cgroup.ErrSyntax},
		{"max max\n", 0, 0, false, cgroup.ErrSyntax},
		{"50000 100000 1\n", 0, 0, false, cgroup.ErrSyntax},
		{"50000,100000\n", 0, 0, false, cgroup.ErrSyntax},
		{"0.5 100000\n", 0, 0, false, cgroup.ErrSyntax},
		{"maximum 100000\n", 0, 0, false, cgroup.ErrSyntax},
	}
	for _, tt := range tests {
		quota, period, unlimited, err := ParseCPUMax([]byte(tt.in))
		parsetest.CheckErr(t, err, tt.wantErr)
		if quota != tt.quota || period != tt.period || unlimited != tt.unlimited {
			t.Errorf("ParseCPUMax(%q) = %d, %d, %v; want %d, %d, %v",
				tt.in, quota, period, unlimited, tt.quota, tt.period, tt.unlimited)
		}
	}
}

func TestParseCPUMaxErrorNamesFile(t *testing.T) {
	_, _, _, err := ParseCPUMax([]byte("50000 0\n"))
	want := `cgroup: parsing cpu.max "50000 0": value out of range`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

func TestParseCPUWeight(t *testing.T) {
	tests := []struct {
		in      string
		want    uint64
		wantErr error
	}{
		{"100\n", 100, nil},
		{"1\n", 1, nil},
		{"10000\n", 10000, nil},
		{"39\n", 39, nil},
		{"0\n", 0, cgroup.ErrRange},
		{"10001\n", 0, cgroup.ErrRange},
		{"max\n", 0, cgroup.ErrSyntax},
		{"", 0, cgroup.ErrSyntax},
	}
	for _, tt := range tests {
		v, err := ParseCPUWeight([]byte(tt.in))
		parsetest.CheckErr(t, err, tt.wantErr)
		if v != tt.want {
			t.Errorf("ParseCPUWeight(%q) = %d, want %d", tt.in, v, tt.want)
		}
	}
}

func BenchmarkParseCPUMax(b *testing.B) {
	in := []byte("150000 100000\n")
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, err := ParseCPUMax(in); err != nil {
			b.Fatal(err)
		}
	}
}

func TestParseCPUMaxDoesNotAllocate(t *testing.T) {
	limited, unlimited := []byte("150000 100000\n"), []byte("max 100000\n")
	allocs := testing.AllocsPerRun(100, func() {
		_, _, _, _ = ParseCPUMax(limited)
		_, _, _, _ = ParseCPUMax(unlimited)
	})
	if allocs != 0 {
		t.Fatalf("got %v allocations, want 0", allocs)
	}
}

// FuzzParseCPUMax checks that accepted input lies in the kernel's bounds and
// that the canonical form the kernel would print parses back to the same
// values.
func FuzzParseCPUMax(f *testing.F) {
	for _, s := range []string{"max 100000\n", "50000 100000\n", "max\n", "25000", "0 100000", "50000 0",
		"50000 100000 1", "max max", " 1000\t1000000 ", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		quota, period, unlimited, err := ParseCPUMax(b)
		if err != nil {
			parsetest.CheckAnyParseError(t, err)
			if quota != 0 || period != 0 || unlimited {
				t.Fatalf("ParseCPUMax(%q) returned values with error: %d %d %v", b, quota, period, unlimited)
			}
			return
		}
		if period < 1000 || period > 1000000 {
			t.Fatalf("ParseCPUMax(%q) accepted period %d", b, period)
		}
		canonical := "max"
		if unlimited {
			if quota != math.MaxUint64 {
				t.Fatalf("ParseCPUMax(%q) unlimited with quota %d", b, quota)
			}
		} else {
			if quota < 1000 {
				t.Fatalf("ParseCPUMax(%q) accepted quota %d", b, quota)
			}
			canonical = strconv.FormatUint(quota, 10)
		}
		canonical += " " + strconv.FormatUint(period, 10) + "\n"
		q2, p2, u2, err := ParseCPUMax([]byte(canonical))
		if err != nil || q2 != quota || p2 != period || u2 != unlimited {
			t.Fatalf("canonical %q of %q parsed to %d %d %v %v", canonical, b, q2, p2, u2, err)
		}
	})
}
