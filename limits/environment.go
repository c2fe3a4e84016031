package limits

import (
	"math"
	"os"
	"runtime/debug"
	"strings"

	"github.com/truelimit/truelimit/internal/parse"
)

// Environment variables the setters obey, highest precedence first.
const (
	// offVar set to "off" makes every setter change nothing.
	offVar = "TRUELIMIT"
	// memoryRatioVar overrides the ratio option of SetGoMemLimit.
	memoryRatioVar = "TRUELIMIT_MEMORY_RATIO"
	// memoryReserveVar overrides the reserve option of SetGoMemLimit.
	memoryReserveVar = "TRUELIMIT_MEMORY_RESERVE"
	// memorySharedVar, 1 or 0, turns SetGoMemLimit's shared-limit policy
	// on or off, overriding WithSharedMemoryLimit.
	memorySharedVar = "TRUELIMIT_MEMORY_SHARED"
)

// disabled reports whether TRUELIMIT=off, in any letter case.
func disabled() bool { return isOff(os.Getenv(offVar)) }

// isOff is strings.EqualFold(v, "off") without linking EqualFold (about
// 1.5 KB in every program importing limits/auto): no letter but O and F
// folds to o or f.
func isOff(v string) bool {
	return len(v) == 3 && v[0]|0x20 == 'o' && v[1]|0x20 == 'f' && v[2]|0x20 == 'f'
}

// envGoMemLimit reads GOMEMLIMIT as the runtime does (runtime/debug
// SetMemoryLimit: "off" or a byte count with an optional B, KiB, MiB, GiB or
// TiB suffix). set is false when the variable is empty.
func envGoMemLimit() (value string, set, valid bool) {
	v := os.Getenv("GOMEMLIMIT")
	if v == "" {
		return "", false, false
	}
	_, ok := parseByteCount(v)
	return v, true, v == "off" || ok
}

// envMemoryReserve reads TRUELIMIT_MEMORY_RESERVE: a byte count in
// GOMEMLIMIT's syntax ("100MiB").
func envMemoryReserve() (reserve uint64, set, valid bool) {
	v := os.Getenv(memoryReserveVar)
	if v == "" {
		return 0, false, false
	}
	n, ok := parseByteCount(v)
	return n, true, ok
}

// envMemoryShared reads TRUELIMIT_MEMORY_SHARED: 1 turns the shared-limit
// policy on, 0 off.
func envMemoryShared() (on, set, valid bool) {
	v := os.Getenv(memorySharedVar)
	return v == "1", v != "", v == "1" || v == "0"
}

// parseByteCount reads s as the runtime reads GOMEMLIMIT's byte count: the
// number, read as strconv.ParseInt reads it in runtime.parseByteCount (an
// optional sign, not negative), times its unit must fit in an int64.
func parseByteCount(s string) (uint64, bool) {
	shift := uint(0)
	for i, suffix := range byteUnits {
		if rest, ok := strings.CutSuffix(s, suffix); ok {
			s, shift = rest, uint(40-10*i)
			break
		}
	}
	n, ok := parseInt(s, 64)
	if !ok || n < 0 || n > math.MaxInt64>>shift {
		return 0, false
	}
	return uint64(n) << shift, true
}

// byteUnits are the suffixes of a byte count, TiB (2^40) down to B (2^0).
var byteUnits = [...]string{"TiB", "GiB", "MiB", "KiB", "B"}

// envGoMaxProcs reads GOMAXPROCS as the runtime does: strconv.ParseInt with
// 32 bits, honoured when positive.
func envGoMaxProcs() (value string, set, valid bool) {
	v := os.Getenv("GOMAXPROCS")
	if v == "" {
		return "", false, false
	}
	n, ok := parseInt(v, 32)
	return v, true, ok && n > 0
}

// parseInt reads s as strconv.ParseInt(s, 10, bits) does (an optional sign,
// decimal digits read by parse.Digits, a value that fits in bits), saying
// only whether it is a number: strconv.ParseInt, with its error type, would
// grow every program importing limits/auto by about 10 KB. FuzzParseInt
// holds the two to the same answers.
func parseInt(s string, bits uint) (int64, bool) {
	neg := s != "" && s[0] == '-'
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	n, err := parse.Digits([]byte(s))
	if limit := uint64(1) << (bits - 1); err != nil || n > limit || (!neg && n == limit) {
		return 0, false
	}
	if neg {
		return -int64(n), true
	}
	return int64(n), true
}

// godebugOff reports whether GODEBUG sets key to 0, as the list that did
// says it ("GODEBUG=key=0", "DefaultGODEBUG=key=0"), or "":
// containermaxprocs=0 turns container-aware GOMAXPROCS off, updatemaxprocs=0
// its updates. As the runtime does, it reads $GODEBUG first; where $GODEBUG
// does not set key, buildOff (WithBuildGODEBUG's buildGODEBUGOff), when
// set, reads the binary's own default, its build info's DefaultGODEBUG.
func godebugOff(key string, buildOff func(key string) bool) string {
	list := "GODEBUG"
	if v, ok := godebugValue(os.Getenv(list), key); ok {
		if v != "0" {
			return ""
		}
	} else if list = "DefaultGODEBUG"; buildOff == nil || !buildOff(key) {
		return ""
	}
	return list + "=" + key + "=0"
}

// godebugValue finds key in a GODEBUG list: as in the runtime, settings are
// comma-separated key=value pairs taken verbatim, and the last setting of a
// key wins.
func godebugValue(list, key string) (value string, ok bool) {
	for rest := list; rest != ""; {
		var kv string
		kv, rest, _ = strings.Cut(rest, ",")
		if k, v, found := strings.Cut(kv, "="); found && k == key {
			value, ok = v, true
		}
	}
	return value, ok
}

// goLineMarker is a setting that changed in Go 1.25, as containermaxprocs
// and updatemaxprocs did: a main module whose go line says 1.24 or older
// (or that has "//go:debug default=go1.24") gets decoratemappings=0 in its
// DefaultGODEBUG along with both of them.
const goLineMarker = "decoratemappings"

// explicitOff reports whether defaults, a binary's DefaultGODEBUG (build
// info), sets key to 0 through a //go:debug directive or a go.mod godebug
// block rather than through its go line. The go command merges the three
// into one sorted list and keeps nothing of where a setting came from; a go
// line of 1.24 or older also brings the other settings changed in Go 1.25
// at their old values, so key=0 without decoratemappings=0 can only be
// explicit. With decoratemappings=0 it cannot be told (an old go line, or
// both set explicitly), and key=0 is taken for the go line's default: the
// service whose runtime does nothing, which needs the library.
func explicitOff(defaults, key string) bool {
	v, ok := godebugValue(defaults, key)
	old, _ := godebugValue(defaults, goLineMarker)
	return ok && v == "0" && old != "0"
}

// buildGODEBUGOff reports whether the binary's DefaultGODEBUG
// (runtime/debug.ReadBuildInfo) sets key to 0 on purpose (explicitOff).
func buildGODEBUGOff(key string) bool {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "DefaultGODEBUG" {
				return explicitOff(s.Value, key)
			}
		}
	}
	return false
}

// envMemoryRatio reads TRUELIMIT_MEMORY_RATIO: a decimal number in (0, 1].
func envMemoryRatio() (ratio float64, set, valid bool) {
	v := os.Getenv(memoryRatioVar)
	if v == "" {
		return 0, false, false
	}
	r, ok := parseRatio(v)
	return r, true, ok && r > 0 && r <= 1
}

// parseRatio reads a decimal number, digits with an optional point ("0.85",
// "1", ".5", "1."), as the float64 strconv.ParseFloat gives for it: the
// digits without the point, an integer n, over 10^k for k digits after the
// point (trailing zeros dropped). With n at most 2^53 and k at most 22 both
// are exact float64s and the one division rounds correctly, which is how
// ParseFloat's exact path reads them. Other numbers (a sign, an exponent,
// hex, more than 15 significant digits) are refused: strconv.ParseFloat
// would grow every program importing limits/auto by about 23 KB.
func parseRatio(s string) (float64, bool) {
	whole, frac, _ := strings.Cut(s, ".")
	for frac != "" && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	if whole == "" && frac == "" && (s == "" || s == ".") || len(frac) > 22 {
		return 0, false
	}
	var n uint64
	for _, digits := range [...]string{whole, frac} {
		for i := 0; i < len(digits); i++ {
			c := digits[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			if n = n*10 + uint64(c-'0'); n > 1<<53 {
				return 0, false
			}
		}
	}
	div := 1.0
	for range len(frac) {
		div *= 10
	}
	return float64(n) / div, true
}
