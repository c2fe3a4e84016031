package limits

import (
	"log/slog"
	"time"

	"github.com/truelimit/truelimit/cgroup"
)

// Option configures Detect, ForPID and ForCgroup.
type Option func(*config)

type config struct {
	root  string
	walk  bool
	pid   string   // the process Detect or ForPID reports on: "self" or a number
	pidID int      // the same as a number, 0 for "self"
	form  PathForm // how ForCgroup reads its path
	// path is ForCgroup's argument as given; cgroupPath is it resolved,
	// relative to the caller's own cgroup when relative is set.
	path       string
	cgroupPath string
	relative   bool
	// target, set by ForCgroup, locates its cgroup (which may not exist
	// yet) instead of the process's own; details, set by the public
	// detections, adds everything the setters do not need. Reaching both
	// only through function and interface values keeps them (and package
	// systemd) out of a program that only uses the setters.
	target  func(r *reader, controller string) (cgroup.Location, error)
	details details

	// Settings of SetGoMemLimit and SetGoMaxProcs.
	ratio        float64 // share of the memory budget for GOMEMLIMIT
	minBytes     uint64
	maxBytes     uint64
	hostFallback bool
	roundDown    bool
	minProcs     int
	refresh      time.Duration
	logger       *slog.Logger
}

func newConfig(opts []Option) config {
	c := config{root: "/", pid: "self", ratio: DefaultMemoryRatio}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithRoot reads every file under dir instead of "/": dir/proc/self/mountinfo,
// dir/proc/<pid>/cgroup, dir/proc/meminfo, and each cgroup file at dir plus
// its mount point. Use it to inspect a captured tree or a container's root.
// The live-only facts (CPU affinity, the cgroup namespace) are not read then.
func WithRoot(dir string) Option {
	return func(c *config) {
		if dir == "" {
			dir = "/"
		}
		c.root = dir
	}
}

// WithWalk records every interface file read on the walk in Result.Walk, for
// reports that show the walk level by level. It costs an allocation per file.
func WithWalk() Option {
	return func(c *config) { c.walk = true }
}

// DefaultMemoryRatio is the share of the memory budget SetGoMemLimit gives
// GOMEMLIMIT, leaving the rest for memory the Go runtime does not manage
// (cgo, thread stacks, the kernel's page cache charged to the cgroup).
const DefaultMemoryRatio = 0.9

// WithMemoryRatio sets the share of the memory budget (the lower of the hard
// limit and memory.high) that SetGoMemLimit gives GOMEMLIMIT; values outside
// (0, 1] are ignored. TRUELIMIT_MEMORY_RATIO in the environment overrides it.
func WithMemoryRatio(ratio float64) Option {
	return func(c *config) {
		if ratio > 0 && ratio <= 1 {
			c.ratio = ratio
		}
	}
}

// WithMinMemoryLimit makes SetGoMemLimit never set GOMEMLIMIT below n bytes.
func WithMinMemoryLimit(n uint64) Option { return func(c *config) { c.minBytes = n } }

// WithMaxMemoryLimit makes SetGoMemLimit never set GOMEMLIMIT above n bytes.
func WithMaxMemoryLimit(n uint64) Option { return func(c *config) { c.maxBytes = n } }

// WithHostMemoryFallback makes SetGoMemLimit use the host's MemTotal as the
// budget when no cgroup limits memory. Without it the limit is left alone.
func WithHostMemoryFallback() Option { return func(c *config) { c.hostFallback = true } }

// WithRoundDown makes SetGoMaxProcs round the CPU quota down with a minimum
// of 1, as go.uber.org/automaxprocs does, instead of the Go runtime's policy
// (round up, at least 2).
func WithRoundDown() Option { return func(c *config) { c.roundDown = true } }

// WithMinProcs makes SetGoMaxProcs never set GOMAXPROCS below n (it still
// never exceeds the CPUs the process may run on).
func WithMinProcs(n int) Option { return func(c *config) { c.minProcs = n } }

// WithRefresh makes the setters re-read the limits every d and follow a
// resize; 0 (the default for explicit calls) turns refreshing off. One
// refresh loop serves the process: a later setter call replaces the settings
// of an earlier one.
func WithRefresh(d time.Duration) Option { return func(c *config) { c.refresh = d } }

// WithLogger makes the setters log what they decide, and the refresh loop
// every change, to l. Without it they are silent.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }
