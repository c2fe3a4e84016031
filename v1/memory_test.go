package v1

import (
	"math"
	"strconv"
	"testing"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/parsetest"
)

func TestIsUnlimited(t *testing.T) {
	tests := []struct {
		v    uint64
		want bool
	}{
		{9223372036854771712, true}, // 4 KiB pages
		{9223372036854759424, true}, // 16 KiB pages
		{9223372036854710272, true}, // 64 KiB pages
		{9223372036854775807, true}, // LONG_MAX, kernels before 3.19
		{math.MaxUint64, true},
		{9223372036854710271, false},
		{536870912, false},
		{0, false},
	}
	for _, tt := range tests {
		if got := IsUnlimited(tt.v); got != tt.want {
			t.Errorf("IsUnlimited(%d) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

func TestParseLimitInBytes(t *testing.T) {
	tests := []struct {
		in        string
		want      uint64
		unlimited bool
		wantErr   error
	}{
		{"9223372036854771712\n", math.MaxUint64, true, nil}, // this host, 4 KiB pages
		{"9223372036854759424\n", math.MaxUint64, true, nil},
		{"9223372036854710272\n", math.MaxUint64, true, nil},
		{"9223372036854775807\n", math.MaxUint64, true, nil},
		{"-1\n", math.MaxUint64, true, nil},
		{"536870912\n", 536870912, false, nil},
		{"9223372036854710271\n", 9223372036854710271, false, nil},
		{"0\n", 0, false, nil},
		{"  4096 ", 4096, false, nil},
		{"-2\n", 0, false, cgroup.ErrRange},
		{"-9223372036854775808\n", 0, false, cgroup.ErrRange},
		{"18446744073709551616\n", 0, false, cgroup.ErrRange},
		{"-\n", 0, false, cgroup.ErrSyntax},
		{"-1x\n", 0, false, cgroup.ErrSyntax},
		{"max\n", 0, false, cgroup.ErrSyntax},
		{"512M\n", 0, false, cgroup.ErrSyntax},
		{"", 0, false, cgroup.ErrSyntax},
		{"\n", 0, false, cgroup.ErrSyntax},
	}
	for _, tt := range tests {
		v, unlimited, err := ParseLimitInBytes([]byte(tt.in))
		parsetest.CheckErr(t, err, tt.wantErr)
		if v != tt.want || unlimited != tt.unlimited {
			t.Errorf("ParseLimitInBytes(%q) = %d, %v; want %d, %v", tt.in, v, unlimited, tt.want, tt.unlimited)
		}
	}
}

func TestParseLimitInBytesErrorNamesFile(t *testing.T) {
	_, _, err := ParseLimitInBytes([]byte("-2\n"))
	want := `cgroup: parsing memory.*limit_in_bytes "-2": value out of range`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

func TestParseUseHierarchy(t *testing.T) {
	tests := []struct {
		in      string
		want    bool
		wantErr error
	}{
		{"1\n", true, nil},
		{"0\n", false, nil},
		{"2\n", false, cgroup.ErrRange},
		{"yes\n", false, cgroup.ErrSyntax},
		{"", false, cgroup.ErrSyntax},
	}
	for _, tt := range tests {
		got, err := ParseUseHierarchy([]byte(tt.in))
		parsetest.CheckErr(t, err, tt.wantErr)
		if got != tt.want {
			t.Errorf("ParseUseHierarchy(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	_, err := ParseUseHierarchy([]byte("2\n"))
	if want := `cgroup: parsing memory.use_hierarchy "2": value out of range`; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
}

func TestParseUint(t *testing.T) {
	tests := []struct {
		in      string
		want    uint64
		wantErr error
	}{
		{"0\n", 0, nil}, // memory.kmem.usage_in_bytes with kmem accounting off
		{"3407872\n", 3407872, nil},
		{"16290388697286\n", 16290388697286, nil}, // cpuacct.usage, this host's root
		{"2014552064\n", 2014552064, nil},         // memory.usage_in_bytes, this host's root
		{"18446744073709551615\n", 18446744073709551615, nil},
		{"18446744073709551616\n", 0, cgroup.ErrRange},
		{"-1\n", 0, cgroup.ErrSyntax},
		{"", 0, cgroup.ErrSyntax},
	}
	for _, tt := range tests {
		got, err := ParseUint([]byte(tt.in))
		parsetest.CheckErr(t, err, tt.wantErr)
		if got != tt.want {
			t.Errorf("ParseUint(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func BenchmarkParseLimitInBytes(b *testing.B) {
	in := []byte("9223372036854771712\n")
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ParseLimitInBytes(in); err != nil {
			b.Fatal(err)
		}
	}
}

func TestLimitParsersDoNotAllocate(t *testing.T) {
	limit, unlimited, minus := []byte("536870912\n"), []byte("9223372036854771712\n"), []byte("-1\n")
	allocs := testing.AllocsPerRun(100, func() {
		_, _, _ = ParseLimitInBytes(limit)
		_, _, _ = ParseLimitInBytes(unlimited)
		_, _, _ = ParseLimitInBytes(minus)
		_, _ = ParseUseHierarchy([]byte("1\n"))
	})
	if allocs != 0 {
		t.Fatalf("got %v allocations, want 0", allocs)
	}
}

// FuzzParseLimitInBytes checks that a limited value prints back to itself and
// that unlimited is exactly "-1" or the threshold and above.
func FuzzParseLimitInBytes(f *testing.F) {
	for _, s := range []string{"9223372036854771712\n", "-1\n", "536870912", "-2", "", "9223372036854710271"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, unlimited, err := ParseLimitInBytes(b)
		if err != nil {
			parsetest.CheckAnyParseError(t, err)
			return
		}
		if unlimited {
			if v != math.MaxUint64 {
				t.Fatalf("ParseLimitInBytes(%q) unlimited with v=%d", b, v)
			}
			return
		}
		if IsUnlimited(v) {
			t.Fatalf("ParseLimitInBytes(%q) = %d, limited above the threshold", b, v)
		}
		again, u2, err := ParseLimitInBytes([]byte(strconv.FormatUint(v, 10) + "\n"))
		if err != nil || u2 || again != v {
			t.Fatalf("round trip of %d: %d %v %v", v, again, u2, err)
		}
	})
}
