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
	return v, true, v == "off" || validMemLimit(v)
}

// validMemLimit reports whether the runtime accepts s as a byte count: the
// number, read by strconv.ParseInt as runtime.parseByteCount reads it (an
// optional sign, not negative), times its unit must fit in an int64.
func validMemLimit(s string) bool {
	units := []struct {
		suffix string
		shift  uint
	}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}, {"B", 0}}
	shift := uint(0)
	for _, u := range units {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, shift = rest, u.shift
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return err == nil && n >= 0 && n <= math.MaxInt64>>shift
}

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

// containerMaxProcsOff reports whether GODEBUG turns container-aware
// GOMAXPROCS off (containermaxprocs=0). As in the runtime, settings are
// comma-separated key=value pairs taken verbatim, and the last setting of a
// key wins.
func containerMaxProcsOff() bool {
	off := false
	for rest := os.Getenv("GODEBUG"); rest != ""; {
		var kv string
		kv, rest, _ = strings.Cut(rest, ",")
		if k, v, ok := strings.Cut(kv, "="); ok && k == "containermaxprocs" {
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
