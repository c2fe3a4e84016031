package main

import (
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/truelimit/truelimit/limits"
)

// The variables -env prints besides GOMEMLIMIT and GOMAXPROCS.
const (
	envMemory     = "TRUELIMIT_MEMORY_BYTES"      // the effective memory limit, bytes
	envMemoryHigh = "TRUELIMIT_MEMORY_HIGH_BYTES" // the effective memory.high, bytes
	envCPUs       = "TRUELIMIT_CPUS"              // effectiveCPUs, a decimal
	envCPUsCeil   = "TRUELIMIT_CPUS_CEIL"         // TRUELIMIT_CPUS rounded up, at least 1
)

// envVar is one NAME=value line of -env.
type envVar struct{ name, value string }

// envVars returns the variables -env prints for r, in order: the memory
// limit and memory.high, the CPUs (effectiveCPUs) and that rounded up, each
// only when limited (unlimited and unknown values are left out, never
// printed as a huge number or a guess).
func envVars(r limits.Result) []envVar {
	var vars []envVar
	for _, m := range [...]struct {
		name string
		l    limits.Limit
	}{{envMemory, r.Memory.Limit}, {envMemoryHigh, r.Memory.High}} {
		if m.l.State == limits.Limited {
			vars = append(vars, envVar{m.name, strconv.FormatUint(m.l.Value, 10)})
		}
	}
	if c := effectiveCPUs(r); c.state == limits.Limited {
		vars = append(vars,
			envVar{envCPUs, strconv.FormatFloat(c.cpus, 'f', -1, 64)},
			envVar{envCPUsCeil, strconv.FormatFloat(max(math.Ceil(c.cpus), 1), 'f', -1, 64)})
	}
	return vars
}

// writeEnv writes vars as NAME=value lines. Names are fixed identifiers and
// values digits with at most one dot, so the lines need no quoting for sh's
// eval, a sourced file, docker's --env-file or systemd's EnvironmentFile=.
func writeEnv(out io.Writer, vars []envVar) error {
	var b strings.Builder
	for _, v := range vars {
		b.WriteString(v.name + "=" + v.value + "\n")
	}
	_, err := io.WriteString(out, b.String())
	return err
}

// envNames lists -env's variables for -h.
const envNames = envMemory + ", " + envMemoryHigh + ", " + envCPUs + ", " + envCPUsCeil + ", GOMEMLIMIT, GOMAXPROCS"

// setterOptions turns -env's flags into the setters' options for the tree
// at root: -memory-ratio (in (0, 1]), -memory-reserve (GOMEMLIMIT's syntax)
// and -round-down.
func setterOptions(root string, ratio float64, reserve string, roundDown bool) ([]limits.MemoryOption, []limits.ProcsOption, error) {
	if !(ratio > 0 && ratio <= 1) {
		return nil, nil, usagef("-memory-ratio %v: want a number in (0, 1]", ratio)
	}
	mem := []limits.MemoryOption{limits.WithRoot(root), limits.WithMemoryRatio(ratio)}
	if reserve != "" {
		n, err := parseBytes(reserve)
		if err != nil {
			return nil, nil, usagef("-memory-reserve: %v", err)
		}
		mem = append(mem, limits.WithMemoryReserve(n))
	}
	var procs []limits.ProcsOption
	if roundDown {
		procs = append(procs, limits.WithRoundDown())
	}
	return mem, procs, nil
}

// printEnv writes -env's lines for this process, or for the tree at root:
// envVars, then GOMEMLIMIT and GOMAXPROCS as limits.PlanGoLimits decides
// them with mem and procs in this process's environment, each only where
// the setters would derive it from a limit (Setting.Source). A value the
// environment sets stands and TRUELIMIT=off changes nothing: the setters
// derive nothing then, so the line is left out and the program started
// inherits the environment's.
func printEnv(out io.Writer, root string, mem []limits.MemoryOption, procs []limits.ProcsOption) error {
	res, err := limits.Detect(limits.WithRoot(root))
	if err != nil {
		return err
	}
	memory, maxProcs, err := limits.PlanGoLimits(mem, procs)
	if err != nil {
		return err
	}
	vars := envVars(res)
	for _, s := range [...]limits.Setting{memory, maxProcs} {
		if s.Source != "" {
			vars = append(vars, envVar{s.Name, strconv.FormatInt(s.Value, 10)})
		}
	}
	return writeEnv(out, vars)
}
