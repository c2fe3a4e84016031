package pressure

import (
	"os"
	"time"
)

// Option configures Watch.
type Option func(*config)

type config struct {
	stall, window time.Duration
	interval      time.Duration
	sources       Source
	fraction      float64
	bytes         uint64
	handler       func(Event)
	freeEvery     time.Duration
	buffer        int
	lookupEnv     func(string) (string, bool)
	v1Level       string
}

func newConfig(opts []Option) config {
	c := config{
		stall:     200 * time.Millisecond,
		window:    2 * time.Second,
		interval:  time.Second,
		sources:   AllSources,
		fraction:  0.10,
		buffer:    16,
		lookupEnv: os.LookupEnv,
		v1Level:   "medium",
	}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithThreshold sets the PSI trigger: an event when tasks of the cgroup
// stalled on memory for stall within window ("some <stall µs> <window µs>").
// The default is 200 ms in 2 s, what systemd writes. The kernel takes
// windows from 500 ms to 10 s and, without CAP_SYS_RESOURCE (6.5+), only
// multiples of 2 s: Watch clamps the window to that range and rounds it
// up where needed, and says so in Setup.How. The same share of time is the
// threshold of the PSI polling fallback.
func WithThreshold(stall, window time.Duration) Option {
	return func(c *config) { c.stall, c.window = stall, window }
}

// WithInterval sets how often the polling fallbacks read their files; the
// default is 1 s.
func WithInterval(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.interval = d
		}
	}
}

// WithSources restricts the sources Watch may set up to the set s (a
// test, or a program that wants no polling, uses it); the default is
// AllSources.
func WithSources(s Source) Option { return func(c *config) { c.sources = s } }

// WithHeadroomFraction sets the low-headroom threshold as a fraction of the
// memory limit that binds the cgroup; the default is 0.10.
func WithHeadroomFraction(f float64) Option {
	return func(c *config) { c.fraction, c.bytes = f, 0 }
}

// WithHeadroomBytes sets the low-headroom threshold in bytes.
func WithHeadroomBytes(n uint64) Option { return func(c *config) { c.bytes, c.fraction = n, 0 } }

// WithHandler calls f with every event, on the watcher's goroutine, before
// the event is offered to the Events channel. f must return quickly: the
// watcher reads nothing while it runs.
func WithHandler(f func(Event)) Option { return func(c *config) { c.handler = f } }

// WithFreeOSMemory runs debug.FreeOSMemory on a pressure, high, max or
// low-headroom event, after the WithHandler function, at most once per
// every: the Go heap is collected and its free pages returned to the
// kernel at once, so that what the handler dropped leaves the cgroup's
// usage (the runtime would otherwise return it over minutes). It costs a
// full collection.
func WithFreeOSMemory(every time.Duration) Option { return func(c *config) { c.freeEvery = every } }

// WithBuffer sets the capacity of the Events channel (default 16). When it
// is full, events are dropped and counted in the next one's Dropped.
func WithBuffer(n int) Option {
	return func(c *config) {
		if n >= 0 {
			c.buffer = n
		}
	}
}

// WithEnv makes Watch read $MEMORY_PRESSURE_WATCH and
// $MEMORY_PRESSURE_WRITE through lookup instead of os.LookupEnv.
func WithEnv(lookup func(string) (string, bool)) Option {
	return func(c *config) { c.lookupEnv = lookup }
}

// WithV1Level sets the v1 pressure level to register: "low" (any reclaim),
// "medium" (the default: swapping or evicting file caches), "critical"
// (about to OOM).
func WithV1Level(level string) Option { return func(c *config) { c.v1Level = level } }
