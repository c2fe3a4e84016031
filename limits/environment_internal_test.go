package limits

import (
	"math"
	"math/big"
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
