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
const envNames = envMemory + ", " + envMemoryHigh + ", " + envCPUs + ", " + envCPUsCeil

// printEnv writes -env's lines for this process, or for the tree at root.
func printEnv(out io.Writer, root string) error {
	res, err := limits.Detect(limits.WithRoot(root))
	if err != nil {
		return err
	}
	return writeEnv(out, envVars(res))
}
