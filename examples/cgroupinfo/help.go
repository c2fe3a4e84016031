package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/truelimit/truelimit/limits/report"
)

// helpText is the head of -h: what the tool answers, the invocations that
// matter most, -require's grammar and the exit statuses.
const helpText = `Usage: cgroupinfo [flags]

cgroupinfo answers how much memory and CPU a process really has: the tightest limit on the
path from its cgroup up to the root (cgroup v1, v2 or hybrid), the cgroup that sets each,
how much it uses and its headroom, and what looks misconfigured, with what to do about it.

The six most useful invocations:
  cgroupinfo                                  the answer for this process, first
  cgroupinfo -pid 1234                        another process; on the host, also what it cannot see
  cgroupinfo -require 'memory>=1GiB,cpus>=2'  entrypoint guard: status 3 and the reason when unmet
  set -a; eval "$(cgroupinfo -env)"; set +a   the limits as variables for any program (see -env)
  cgroupinfo -json                            the stable JSON shape, for programs
  cgroupinfo -v                               the full report (paths, cgroups, walk) for bug reports

-require LIST: items NAME>=VALUE separated by commas, each name once:
  memory>=N, memory.high>=N   bytes, or with GOMEMLIMIT's units B, KiB, MiB, GiB, TiB (512MiB)
  cpus>=X                     the lower of the CPU quota and the cpuset's CPUs; a decimal (0.5)
  pids>=N                     tasks
  An unlimited value meets any requirement; an unknown value meets none.

-env prints NAME=value lines, only for values that are limited:
  TRUELIMIT_MEMORY_BYTES       the memory limit, bytes (JVM -XX:MaxRAM, Node --max-old-space-size)
  TRUELIMIT_MEMORY_HIGH_BYTES  memory.high, bytes: the kernel throttles above it
  TRUELIMIT_CPUS               the lower of the CPU quota and the cpuset's CPUs, a decimal (0.5)
  TRUELIMIT_CPUS_CEIL          that rounded up, at least 1 (JVM -XX:ActiveProcessorCount, --workers)
  GOMEMLIMIT, GOMAXPROCS       what the library's setters would set (limits.PlanGoLimits), with
                               -memory-ratio, -memory-reserve and -round-down as their options, and
                               left out where the environment sets them or TRUELIMIT=off

Exit status:
  0  success, every -require met
  1  error: the limits could not be read
  2  usage error: a bad flag, argument or -require list
  3  a -require requirement is not met (the reason on stderr, one line)

`

// writeHelp writes -h: helpText, what each diagnostic means, and the flags.
func writeHelp(out io.Writer, fs *flag.FlagSet) error {
	var b strings.Builder
	b.WriteString(helpText)
	b.WriteString("Diagnostics (each report says what to do about those it shows):\n")
	for _, h := range report.DiagnosticHelp() {
		fmt.Fprintf(&b, "  %-25s %s\n", h.Code, h.Meaning)
	}
	b.WriteString("\nFlags:\n")
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	_, err := io.WriteString(out, b.String())
	return err
}
