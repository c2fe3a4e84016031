package parse_test

import (
	"math"
	"strconv"
	"testing"

	"github.com/truelimit/truelimit/internal/parse"
	"github.com/truelimit/truelimit/internal/parsetest"
)

func TestUint(t *testing.T) {
	tests := []struct {
		in      string
		want    uint64
		wantErr error
	}{
		{"0\n", 0, nil},
		{"9223372036854771712\n", 9223372036854771712, nil}, // v1 unlimited, 4 KiB pages
		{"  42  ", 42, nil},
		{"007", 7, nil},
		{"18446744073709551615", math.MaxUint64, nil},
		{"18446744073709551616", 0, parse.ErrRange},
		{"99999999999999999999999", 0, parse.ErrRange},
		{"99999999999999999999999x", 0, parse.ErrRange}, // like strconv: overflow is seen first
		{"1x", 0, parse.ErrSyntax},
		{"", 0, parse.ErrSyntax},
		{"\n", 0, parse.ErrSyntax},
		{"-1", 0, parse.ErrSyntax},
		{"+1", 0, parse.ErrSyntax},
		{"max", 0, parse.ErrSyntax},
		{"1 2", 0, parse.ErrSyntax},
		{"0x10", 0, parse.ErrSyntax},
		{"1_000", 0, parse.ErrSyntax},
	}
	for _, tt := range tests {
		got, err := parse.Uint([]byte(tt.in))
		parsetest.CheckErr(t, err, tt.wantErr)
		if got != tt.want {
			t.Errorf("Uint(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestInt(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr error
	}{
		{"-1\n", -1, nil},
		{"100000\n", 100000, nil},
		{"0", 0, nil},
		{"-0", 0, nil},
		{"9223372036854775807", math.MaxInt64, nil},
		{"-9223372036854775808", math.MinInt64, nil},
		{"9223372036854775808", 0, parse.ErrRange},
		{"-9223372036854775809", 0, parse.ErrRange},
		{"-", 0, parse.ErrSyntax},
		{"--1", 0, parse.ErrSyntax},
		{"- 1", 0, parse.ErrSyntax},
		{"", 0, parse.ErrSyntax},
		{"1.5", 0, parse.ErrSyntax},
	}
	for _, tt := range tests {
		got, err := parse.Int([]byte(tt.in))
		parsetest.CheckErr(t, err, tt.wantErr)
		if got != tt.want {
			t.Errorf("Int(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestMax(t *testing.T) {
	tests := []struct {
		in        string
		want      uint64
		unlimited bool
		wantErr   error
	}{
		{"max\n", math.MaxUint64, true, nil},
		{"max", math.MaxUint64, true, nil},
		{" max \n", math.MaxUint64, true, nil},
		{"536870912\n", 536870912, false, nil},
		{"0\n", 0, false, nil},
		{"Max", 0, false, parse.ErrSyntax},
		{"maximum", 0, false, parse.ErrSyntax},
		{"max 100000", 0, false, parse.ErrSyntax},
		{"-1", 0, false, parse.ErrSyntax},
		{"", 0, false, parse.ErrSyntax},
		{"18446744073709551616", 0, false, parse.ErrRange},
	}
	for _, tt := range tests {
		got, unlimited, err := parse.Max([]byte(tt.in))
		parsetest.CheckErr(t, err, tt.wantErr)
		if got != tt.want || unlimited != tt.unlimited {
			t.Errorf("Max(%q) = %d, %v; want %d, %v", tt.in, got, unlimited, tt.want, tt.unlimited)
		}
	}
}

func TestParseErrorQuotesTrimmedInput(t *testing.T) {
	_, err := parse.Uint([]byte(" 12a\n"))
	want := `cgroup: parsing unsigned integer "12a": invalid syntax`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

func TestNumbersDoNotAllocate(t *testing.T) {
	in := []byte("9223372036854771712\n")
	maxIn := []byte("max\n")
	neg := []byte("-1\n")
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = parse.Uint(in)
		_, _ = parse.Int(neg)
		_, _, _ = parse.Max(maxIn)
		_, _, _ = parse.Max(in)
	})
	if allocs != 0 {
		t.Fatalf("got %v allocations, want 0", allocs)
	}
}

// FuzzUint checks Uint against strconv.ParseUint on the trimmed input.
func FuzzUint(f *testing.F) {
	for _, s := range []string{"0", "42\n", "18446744073709551615", "18446744073709551616", "", "-1", " 7 ", "1e3"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := parse.Uint(b)
		s := string(parse.TrimSpace(b))
		want, werr := strconv.ParseUint(s, 10, 64)
		if (err == nil) != (werr == nil) {
			t.Fatalf("Uint(%q) err=%v, strconv err=%v", b, err, werr)
		}
		if err == nil && got != want {
			t.Fatalf("Uint(%q) = %d, strconv = %d", b, got, want)
		}
		if err != nil {
			parsetest.CheckErr(t, err, sentinelOf(werr))
		}
	})
}

// FuzzMax checks that Max accepts exactly "max" and what Uint accepts, and
// that formatting a parsed number re-parses to the same value.
func FuzzMax(f *testing.F) {
	for _, s := range []string{"max\n", "max", "0", "123456789\n", "max 100000", "", "Max", "-1"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, unlimited, err := parse.Max(b)
		if string(parse.TrimSpace(b)) == "max" {
			if err != nil || !unlimited || v != math.MaxUint64 {
				t.Fatalf("Max(%q) = %d, %v, %v; want unlimited", b, v, unlimited, err)
			}
			return
		}
		u, uerr := parse.Uint(b)
		if (err == nil) != (uerr == nil) || unlimited || (err == nil && u != v) {
			t.Fatalf("Max(%q) = %d, %v, %v; Uint = %d, %v", b, v, unlimited, err, u, uerr)
		}
		if err == nil {
			again, _, err := parse.Max([]byte(strconv.FormatUint(v, 10) + "\n"))
			if err != nil || again != v {
				t.Fatalf("round trip of %d gave %d, %v", v, again, err)
			}
		}
	})
}

// sentinelOf maps a strconv error to the sentinel Uint should use.
func sentinelOf(err error) error {
	if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
		return parse.ErrRange
	}
	return parse.ErrSyntax
}
