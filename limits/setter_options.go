package limits

import (
	"log/slog"
	"time"

	"github.com/truelimit/truelimit/internal/readfile"
)

// MemoryOption configures SetGoMemLimit.
type MemoryOption interface {
	applyMemory(*memoryConfig)
}

// ProcsOption configures SetGoMaxProcs.
type ProcsOption interface{ applyProcs(*procsConfig) }

// SetterOption configures both setters: WithRefresh, WithLogger and
// WithRoot.
type SetterOption interface {
	MemoryOption
	ProcsOption
}

// setterConfig is what both setters take.
type setterConfig struct {
	root    string
	beneath readfile.Beneath
	refresh time.Duration
	// log, set by WithLogger, logs a setter's Setting, or with relocated
	// set or not a change the refresh loop made after a move or a resize;
	// nil: silent. A function value, so that a program that passes no
	// logger (limits/auto) does not link the logging.
	log func(s Setting, change int)
}

type memoryConfig struct {
	setterConfig
	ratio        float64 // share of the memory budget for GOMEMLIMIT
	minBytes     uint64
	maxBytes     uint64
	reserve      uint64 // bytes of the budget kept out of GOMEMLIMIT
	hostFallback bool
	shared       bool // the shared-limit policy
}

type procsConfig struct {
	setterConfig
	roundDown bool
	minProcs  int
	// buildOff, set by WithBuildGODEBUG, reads the binary's own GODEBUG
	// defaults: a function value, so that other programs do not link
	// runtime/debug.ReadBuildInfo.
	buildOff func(key string) bool
}

func newMemoryConfig(opts []MemoryOption) memoryConfig {
	c := memoryConfig{setterConfig: setterConfig{root: "/"}, ratio: DefaultMemoryRatio}
	for _, o := range opts {
		o.applyMemory(&c)
	}
	return c
}

func newProcsConfig(opts []ProcsOption) procsConfig {
	c := procsConfig{setterConfig: setterConfig{root: "/"}}
	for _, o := range opts {
		o.applyProcs(&c)
	}
	return c
}

type memoryOption func(*memoryConfig)

func (o memoryOption) applyMemory(c *memoryConfig) { o(c) }

type procsOption func(*procsConfig)

func (o procsOption) applyProcs(c *procsConfig) { o(c) }

type setterOption func(*setterConfig)

func (o setterOption) applyMemory(c *memoryConfig) { o(&c.setterConfig) }
func (o setterOption) applyProcs(c *procsConfig)   { o(&c.setterConfig) }

// DefaultMemoryRatio is the share of the memory budget SetGoMemLimit gives
// GOMEMLIMIT, leaving the rest for memory the Go runtime does not manage
// (cgo, thread stacks, the kernel's page cache charged to the cgroup).
const DefaultMemoryRatio = 0.9

// WithMemoryRatio sets the share of the memory budget (the lower of the hard
// limit and memory.high) that SetGoMemLimit gives GOMEMLIMIT; values outside
// (0, 1] are ignored. TRUELIMIT_MEMORY_RATIO in the environment overrides it.
func WithMemoryRatio(ratio float64) MemoryOption {
	return memoryOption(func(c *memoryConfig) {
		if ratio > 0 && ratio <= 1 {
			c.ratio = ratio
		}
	})
}

// WithMemoryReserve keeps n bytes of the memory budget out of GOMEMLIMIT
// (for cgo, SQLite, mmap: memory the Go runtime does not manage):
// GOMEMLIMIT is the lower of the ratio of the budget and the budget less n.
// TRUELIMIT_MEMORY_RESERVE in the environment (in GOMEMLIMIT's syntax:
// "100MiB") overrides it.
func WithMemoryReserve(n uint64) MemoryOption {
	return memoryOption(func(c *memoryConfig) { c.reserve = n })
}

// WithMinMemoryLimit makes SetGoMemLimit never set GOMEMLIMIT below n bytes,
// as long as n is below the hard limit: GOMEMLIMIT is never above the lowest
// of the memory limit, the host's MemTotal and the process's RLIMIT_AS and
// RLIMIT_DATA.
func WithMinMemoryLimit(n uint64) MemoryOption {
	return memoryOption(func(c *memoryConfig) { c.minBytes = n })
}

// WithMaxMemoryLimit makes SetGoMemLimit never set GOMEMLIMIT above n bytes.
func WithMaxMemoryLimit(n uint64) MemoryOption {
	return memoryOption(func(c *memoryConfig) { c.maxBytes = n })
}

// WithHostMemoryFallback makes SetGoMemLimit use the host's MemTotal as the
// budget when no cgroup limits memory. Without it the limit is left alone.
func WithHostMemoryFallback() MemoryOption {
	return memoryOption(func(c *memoryConfig) { c.hostFallback = true })
}

// WithSharedMemoryLimit turns on the shared-limit policy: when the memory
// limit that binds is an ancestor's (a pod of two or more containers, or
// Kubernetes pod-level resources), the budget is that limit less what the
// other cgroups below it use, limit_L - max(0, current_L - current_own)
// (v2 memory.current, v1 memory.usage_in_bytes), followed on every refresh;
// it moves only when it changes by at least max(16 MiB, 5% of limit_L), so
// that the others' noise does not move GOMEMLIMIT on every tick. The
// reserve and the caps apply to that budget. Off by default; use it with
// WithRefresh to follow the others' usage. TRUELIMIT_MEMORY_SHARED in the
// environment (1 or 0) overrides it.
func WithSharedMemoryLimit() MemoryOption {
	return memoryOption(func(c *memoryConfig) { c.shared = true })
}

// WithRoundDown makes SetGoMaxProcs round the CPU quota down with a minimum
// of 1, as go.uber.org/automaxprocs does, instead of the Go runtime's policy
// (round up, at least 2).
func WithRoundDown() ProcsOption {
	return procsOption(func(c *procsConfig) { c.roundDown = true })
}

// WithMinProcs makes SetGoMaxProcs never set GOMAXPROCS below n (it still
// never exceeds the CPUs the process may run on).
func WithMinProcs(n int) ProcsOption {
	return procsOption(func(c *procsConfig) { c.minProcs = n })
}

// WithBuildGODEBUG makes SetGoMaxProcs obey, besides $GODEBUG,
// containermaxprocs=0 and updatemaxprocs=0 set in the binary itself by a
// //go:debug directive or a godebug block of the main module's go.mod, as
// the runtime does (runtime/debug.ReadBuildInfo, setting DefaultGODEBUG).
// The same values implied by a go line of 1.24 or older are not obeyed: that
// is the service whose runtime does nothing. The build info does not say
// where a setting came from; docs/SEMANTICS.md says how they are told apart
// and when they cannot be. limits/auto uses it (ReadBuildInfo grows its
// hello-world by about 29 KB). Explicit calls ask for it: PlanGoLimits in
// an entrypoint plans for another program, whose build is not its own.
func WithBuildGODEBUG() ProcsOption {
	return procsOption(func(c *procsConfig) { c.buildOff = buildGODEBUGOff })
}

// WithRefresh makes the setters re-read the limits every d and follow a
// resize, or a move of the process into another cgroup (seen in
// /proc/self/cgroup, re-read every tick), from the next tick; 0 (the default
// for explicit calls) turns refreshing off. One refresh loop serves the
// process: a later setter call replaces the settings of an earlier one.
func WithRefresh(d time.Duration) SetterOption {
	return setterOption(func(c *setterConfig) { c.refresh = d })
}

// WithLogger makes the setters log what they decide, and the refresh loop
// every change, to l. Without it they are silent.
func WithLogger(l *slog.Logger) SetterOption {
	return setterOption(func(c *setterConfig) {
		c.log = nil
		if l != nil {
			c.log = func(s Setting, change int) {
				msg := s.Reason
				switch change {
				case resized:
					msg = s.Name + " follows a resize: " + msg
				case relocated:
					msg = s.Name + " follows a change of cgroup: " + msg
				}
				l.Info("truelimit: "+msg, "setting", s.Name, "value", s.Value, "previous", s.Previous,
					"changed", s.Changed, "source", s.Source)
			}
		}
	})
}

// What a logged Setting is: a setter's decision, or a change the refresh
// loop made after a resize or a move into another cgroup.
const (
	decided = iota
	resized
	relocated
)
