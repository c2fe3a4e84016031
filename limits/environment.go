package limits

import (
	"math"
	"os"
	"strconv"
	"strings"
)

// Environment variables the setters obey, highest precedence first.
const (
	// offVar set to "off" makes every setter change nothing.
	offVar = "TRUELIMIT"
	// memoryRatioVar overrides the ratio option of SetGoMemLimit.
	memoryRatioVar = "TRUELIMIT_MEMORY_RATIO"
	// memoryReserveVar overrides the reserve option of SetGoMemLimit.
	memoryReserveVar = "TRUELIMIT_MEMORY_RESERVE"
)

// disabled reports whether TRUELIMIT=off, in any letter case.
func disabled() bool { return strings.EqualFold(os.Getenv(offVar), "off") }

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

// parseByteCount reads s as the runtime reads GOMEMLIMIT's byte count: the
// number, read by strconv.ParseInt as runtime.parseByteCount reads it (an
// optional sign, not negative), times its unit must fit in an int64.
func parseByteCount(s string) (uint64, bool) {
	shift := uint(0)
	for i, suffix := range byteUnits {
		if rest, ok := strings.CutSuffix(s, suffix); ok {
			s, shift = rest, uint(40-10*i)
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64>>shift {
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
	n, err := strconv.ParseInt(v, 10, 32)
	return v, true, err == nil && n > 0
}

// godebugOff reports whether GODEBUG sets key to 0: containermaxprocs=0
// turns container-aware GOMAXPROCS off, updatemaxprocs=0 its updates. As in
// the runtime, settings are comma-separated key=value pairs taken verbatim,
// and the last setting of a key wins. Only the environment is read: the
// defaults a binary carries (//go:debug, a go.mod godebug block, an old go
// line) are in its build info, which the setters do not read (see
// docs/SEMANTICS.md).
func godebugOff(key string) bool {
	off := false
	for rest := os.Getenv("GODEBUG"); rest != ""; {
		var kv string
		kv, rest, _ = strings.Cut(rest, ",")
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			off = v == "0"
		}
	}
	return off
}

// envMemoryRatio reads TRUELIMIT_MEMORY_RATIO: a number in (0, 1].
func envMemoryRatio() (ratio float64, set, valid bool) {
	v := os.Getenv(memoryRatioVar)
	if v == "" {
		return 0, false, false
	}
	r, err := strconv.ParseFloat(v, 64)
	return r, true, err == nil && r > 0 && r <= 1
}
