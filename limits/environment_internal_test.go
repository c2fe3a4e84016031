package limits

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseByteCount checks parseByteCount against a reading with big
// integers: an optional unit (TiB, GiB, MiB, KiB, B, the longest first), a
// number strconv.ParseInt accepts, not negative, whose product with the unit
// fits in an int64.
func FuzzParseByteCount(f *testing.F) {
	for _, s := range []string{"100MiB", "0", "+1GiB", "-1MiB", "8388607TiB", "8388608TiB", "1KB", "B", "9223372036854775807B", "1_000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		number, shift := s, uint(0)
		for i, suffix := range []string{"TiB", "GiB", "MiB", "KiB", "B"} {
			if rest, ok := strings.CutSuffix(s, suffix); ok {
				number, shift = rest, uint(40-10*i)
				break
			}
		}
		want, valid := new(big.Int), false
		digits := strings.TrimPrefix(strings.TrimPrefix(number, "+"), "-")
		if digits != "" && strings.Trim(digits, "0123456789") == "" && len(number)-len(digits) <= 1 {
			want.SetString(number, 10)
			want.Lsh(want, shift)
			// ParseInt refuses what does not fit in an int64 before the unit applies.
			n, _ := new(big.Int).SetString(number, 10)
			valid = want.Sign() >= 0 && n.IsInt64() && want.Cmp(big.NewInt(math.MaxInt64)) <= 0
		}
		got, ok := parseByteCount(s)
		if ok != valid || (ok && got != want.Uint64()) {
			t.Fatalf("parseByteCount(%q) = %d, %v; want %s, %v", s, got, ok, want, valid)
		}
	})
}

// FuzzParseInt holds parseInt to strconv.ParseInt in base 10, for 32 and
// 64 bits.
func FuzzParseInt(f *testing.F) {
	for _, s := range []string{"0", "-0", "+7", "-", "+", "", "2147483647", "2147483648", "-2147483648", "-2147483649",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "1_000", "0x10", " 1", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, bits := range []uint{32, 64} {
			want, err := strconv.ParseInt(s, 10, int(bits))
			got, ok := parseInt(s, bits)
			if ok != (err == nil) || got != want && ok {
				t.Fatalf("parseInt(%q, %d) = %d, %v; strconv.ParseInt: %d, %v", s, bits, got, ok, want, err)
			}
		}
	})
}

// FuzzParseRatio checks parseRatio against strconv.ParseFloat: a number it
// reads is the float64 ParseFloat gives, and it reads every number of
// digits and at most one point with at most 15 significant digits and at
// most 22 after the point (trailing zeros aside).
func FuzzParseRatio(f *testing.F) {
	for _, s := range []string{"0.9", "1", ".5", "1.", ".", "", "0.85000000000000000000000000", "1e-1", "+0.5", "-0.5",
		"0x1p-1", "0.123456789012345", "0.1234567890123456789", "9007199254740993", "0.0000000000000000000001", "1_0", "inf"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseRatio(s)
		want, err := strconv.ParseFloat(s, 64)
		if ok && (err != nil || got != want) {
			t.Fatalf("parseRatio(%q) = %v; strconv.ParseFloat says %v, %v", s, got, want, err)
		}
		whole, frac, _ := strings.Cut(s, ".")
		frac = strings.TrimRight(frac, "0")
		significant := strings.TrimLeft(whole+frac, "0")
		plain := strings.Count(s, ".") <= 1 && whole+frac != "" && strings.Trim(whole+frac, "0123456789") == ""
		if plain && len(significant) <= 15 && len(frac) <= 22 && !ok {
			t.Fatalf("parseRatio(%q) refused a decimal number of %d significant digits", s, len(significant))
		}
	})
}

// TestParseRatio: the forms TRUELIMIT_MEMORY_RATIO takes and those it
// refuses.
func TestParseRatio(t *testing.T) {
	tests := []struct {
		s    string
		want float64
		ok   bool
	}{
		{"0.9", 0.9, true},
		{"0.75", 0.75, true},
		{"1", 1, true},
		{"1.0", 1, true},
		{".5", 0.5, true},
		{"1.", 1, true},
		{"0.100000000000000000000000000", 0.1, true},
		{"0.123456789012345", 0.123456789012345, true},
		{"2", 2, true}, // read; envMemoryRatio refuses it as above 1
		{"", 0, false},
		{".", 0, false},
		{"9e-1", 0, false},
		{"+0.5", 0, false},
		{"0x1p-1", 0, false},
		{"0.5.", 0, false},
		{"0.12345678901234567", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseRatio(tt.s)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseRatio(%q) = %v, %v; want %v, %v", tt.s, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzIsOff holds isOff to strings.EqualFold(v, "off").
func FuzzIsOff(f *testing.F) {
	for _, s := range []string{"off", "OFF", "Off", "oFf", "of", "offf", "0ff", "o\u0192f", "\ufb00", "O\u212aF", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if got, want := isOff(v), strings.EqualFold(v, "off"); got != want {
			t.Fatalf("isOff(%q) = %v, strings.EqualFold says %v", v, got, want)
		}
	})
}

// TestExplicitOff: a GODEBUG default of 0 is obeyed when the binary's
// DefaultGODEBUG shows it was set on purpose, not when a go 1.24-or-older go
// line brought it (with decoratemappings=0, the marker); the lists are as
// the go command writes them, sorted.
func TestExplicitOff(t *testing.T) {
	const go124 = "containermaxprocs=0,cryptocustomrand=1,decoratemappings=0,tlssecpmlkem=0,tlssha1=1,updatemaxprocs=0,urlstrictcolons=0,x509sha256skid=0"
	tests := []struct {
		defaults, key string
		want          bool
	}{
		{"", "containermaxprocs", false},
		{"containermaxprocs=0", "containermaxprocs", true},
		{"containermaxprocs=0", "updatemaxprocs", false},
		{"cryptocustomrand=1,updatemaxprocs=0,urlstrictcolons=0", "updatemaxprocs", true}, // a go 1.25 line and a directive
		{"containermaxprocs=1", "containermaxprocs", false},
		{go124, "containermaxprocs", false},
		{go124, "updatemaxprocs", false},
		// Cannot be told from a go 1.24 line with //go:debug decoratemappings=1:
		// taken as explicit.
		{"containermaxprocs=0,decoratemappings=1", "containermaxprocs", true},
	}
	for _, tt := range tests {
		if got := explicitOff(tt.defaults, tt.key); got != tt.want {
			t.Errorf("explicitOff(%q, %q) = %v, want %v", tt.defaults, tt.key, got, tt.want)
		}
	}
}

// TestGodebugOffPrecedence: $GODEBUG decides where it sets the key, the
// binary's defaults only where it does not; the answer names the list that
// decided.
func TestGodebugOffPrecedence(t *testing.T) {
	on := func(string) bool { return true }
	for _, tt := range []struct {
		env      string
		buildOff func(string) bool
		want     string
	}{
		{"", on, "DefaultGODEBUG=containermaxprocs=0"},
		{"", nil, ""},
		{"", func(string) bool { return false }, ""},
		{"containermaxprocs=1", on, ""},
		{"containermaxprocs=0", on, "GODEBUG=containermaxprocs=0"},
		{"containermaxprocs=0", nil, "GODEBUG=containermaxprocs=0"},
		{"updatemaxprocs=1", on, "DefaultGODEBUG=containermaxprocs=0"},
	} {
		t.Setenv("GODEBUG", tt.env)
		if got := godebugOff("containermaxprocs", tt.buildOff); got != tt.want {
			t.Errorf("GODEBUG=%q: godebugOff = %q, want %q", tt.env, got, tt.want)
		}
	}
}
