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
// GOMAXPROCS alone, GODEBUG=updatemaxprocs=0 sets it once (the environment's
// GODEBUG only: the binary's own //go:debug defaults are not read, see
// limits.WithBuildGODEBUG); TRUELIMIT_MEMORY_RATIO sets the ratio and
// TRUELIMIT_MEMORY_RESERVE a reserve (GOMEMLIMIT's syntax); TRUELIMIT_REFRESH
// sets the refresh interval (a Go duration; 0 turns refreshing off).
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
	mem, procs, _, err := limits.SetGoLimits([]limits.MemoryOption{limits.WithRefresh(refresh)}, nil)
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
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return defaultRefresh, envRefresh + "=" + v + " is not a duration; using " + defaultRefresh.String()
	}
	return d, ""
}
