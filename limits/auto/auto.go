// Package auto sets GOMEMLIMIT and GOMAXPROCS from the process's effective
// cgroup limits when it is imported:
//
//	import _ "github.com/truelimit/truelimit/limits/auto"
//
// At init it calls limits.SetGoLimits (SetGoMemLimit and SetGoMaxProcs with
// one detection) with their defaults (GOMEMLIMIT = 0.9 of the lower of the
// memory limit and memory.high over the whole walk, capped by the host's
// MemTotal and the process's RLIMIT_AS and RLIMIT_DATA; GOMAXPROCS by the Go
// runtime's own policy applied to the walked CPU quota) and keeps both up to date every second,
// the Go runtime's own cadence, so an in-place pod resize, or a move of the
// process into another cgroup, is followed. It logs one line to
// slog.Default() saying what was set and which cgroup caused it.
//
// The environment always wins: TRUELIMIT=off changes nothing; an explicit
// GOMEMLIMIT or GOMAXPROCS stands; GODEBUG=containermaxprocs=0 leaves
// GOMAXPROCS alone, GODEBUG=updatemaxprocs=0 sets it once, and so do the
// same two set in the binary by a //go:debug directive or the main module's
// go.mod godebug block, as the runtime obeys them (limits.WithBuildGODEBUG),
// but not the defaults a go line of 1.24 or older implies: that is the
// service whose runtime does nothing; TRUELIMIT_MEMORY_RATIO sets the ratio,
// TRUELIMIT_MEMORY_RESERVE a reserve (GOMEMLIMIT's syntax) and
// TRUELIMIT_MEMORY_SHARED=1 the shared-limit policy (a pod's limit shared
// with other containers: their usage is left out; without it the log line
// says shared-limit when they use a tenth of the limit or more);
// TRUELIMIT_REFRESH sets the refresh interval (a Go duration; 0 turns
// refreshing off).
//
// Off Linux it does nothing.
package auto

import (
	"log/slog"
	"os"
	"time"

	"github.com/truelimit/truelimit/limits"
)

// defaultRefresh is how often the limits are re-read: every second, the Go
// runtime's own cadence for GOMAXPROCS.
const defaultRefresh = time.Second

// envRefresh sets the refresh interval: a Go duration, or 0 to turn
// refreshing off.
const envRefresh = "TRUELIMIT_REFRESH"

// decided holds what init decided; it is written once, before main runs.
var decided struct {
	memory, procs limits.Setting
}

func init() {
	apply(slog.Default())
}

// Settings returns what the import decided at init for GOMEMLIMIT and
// GOMAXPROCS: the values, the cgroups that set them and why. The refresh loop
// may have changed the values since; debug.SetMemoryLimit(-1) and
// runtime.GOMAXPROCS(0) give the current ones. It is safe for concurrent use.
func Settings() (memory, procs limits.Setting) {
	return decided.memory, decided.procs
}

// apply sets both values and logs one line.
func apply(log *slog.Logger) {
	refresh, refreshNote := refreshInterval()
	mem, procs, _, err := limits.SetGoLimits([]limits.MemoryOption{limits.WithRefresh(refresh)}, []limits.ProcsOption{limits.WithBuildGODEBUG()})
	decided.memory, decided.procs = mem, procs
	if err != nil {
		log.Debug("truelimit: limits not applied", "error", err)
		return
	}
	attrs := []any{
		"GOMEMLIMIT", mem.Value, "memory_source", mem.Source,
		"GOMAXPROCS", procs.Value, "cpu_source", procs.Source,
		"refresh", refresh.String(),
		"memory", mem.Reason, "cpu", procs.Reason,
	}
	if refreshNote != "" {
		attrs = append(attrs, "note", refreshNote)
	}
	log.Info("truelimit: GOMEMLIMIT and GOMAXPROCS from cgroup limits", attrs...)
}

// refreshInterval reads TRUELIMIT_REFRESH.
func refreshInterval() (time.Duration, string) {
	v := os.Getenv(envRefresh)
	if v == "" {
		return defaultRefresh, ""
	}
	if v == "0" {
		return 0, ""
	}
	d, ok := parseDuration(v)
	if !ok {
		return defaultRefresh, envRefresh + "=" + v + " is not a duration; using " + defaultRefresh.String()
	}
	return d, ""
}

// parseDuration reads s as time.ParseDuration does ("250ms", "1.5s",
// "1m30s", "+2s", "0"), where that gives a duration of at least 0; ok is
// false where it fails or gives less. time.ParseDuration, with its unit map
// and error type, would grow every program importing this package by about
// 10 KB; FuzzParseDuration holds the two to the same answers.
func parseDuration(s string) (d time.Duration, ok bool) {
	neg := s != "" && s[0] == '-'
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if s == "0" {
		return 0, true
	}
	var total uint64
	for first := true; first || s != ""; first = false {
		// [0-9]*(\.[0-9]*)?, at least one digit: v + f/scale.
		var v, f uint64
		scale, i, digits := 1.0, 0, 0
		for ; i < len(s) && '0' <= s[i] && s[i] <= '9'; i, digits = i+1, digits+1 {
			if v > 1<<63/10 {
				return 0, false
			}
			if v = v*10 + uint64(s[i]-'0'); v > 1<<63 {
				return 0, false
			}
		}
		if i < len(s) && s[i] == '.' {
			// Digits past what f can hold add no precision.
			full := false
			for i++; i < len(s) && '0' <= s[i] && s[i] <= '9'; i, digits = i+1, digits+1 {
				if y := f*10 + uint64(s[i]-'0'); !full && f <= (1<<63-1)/10 && y <= 1<<63 {
					f, scale = y, scale*10
				} else {
					full = true
				}
			}
		}
		j := i
		for j < len(s) && s[j] != '.' && (s[j] < '0' || s[j] > '9') {
			j++
		}
		unit := unitOf(s[i:j])
		if digits == 0 || unit == 0 || v > 1<<63/unit {
			return 0, false
		}
		if v *= unit; f > 0 {
			// As time.ParseDuration: float64 keeps fractions of hours exact to
			// the nanosecond.
			if v += uint64(float64(f) * (float64(unit) / scale)); v > 1<<63 {
				return 0, false
			}
		}
		if total += v; total > 1<<63 {
			return 0, false
		}
		s = s[j:]
	}
	if neg || total > 1<<63-1 {
		return 0, total == 0
	}
	return time.Duration(total), true
}

// unitOf is the length in nanoseconds of a unit of time.ParseDuration; 0
// for none.
func unitOf(u string) uint64 {
	switch u {
	case "ns":
		return uint64(time.Nanosecond)
	case "us", "\u00b5s", "\u03bcs":
		return uint64(time.Microsecond)
	case "ms":
		return uint64(time.Millisecond)
	case "s":
		return uint64(time.Second)
	case "m":
		return uint64(time.Minute)
	case "h":
		return uint64(time.Hour)
	}
	return 0
}
