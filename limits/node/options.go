package node

import "github.com/truelimit/truelimit/limits/internal/under"

// Option configures Scan.
type Option func(*config)

type config struct {
	root string
	top  string // "" for the top visible cgroup of each hierarchy
}

func newConfig(opts []Option) config {
	c := config{root: "/"}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithRoot reads every file under dir instead of "/", as limits.WithRoot
// does: dir/proc/self/mountinfo for the cgroup mounts, and each cgroup
// directory at dir plus its mount point. Use it on a captured tree.
func WithRoot(dir string) Option {
	return func(c *config) { c.root = under.Root(dir) }
}

// WithTop scans only the cgroup at path (a clean absolute cgroup path as
// /proc/<pid>/cgroup writes it, e.g. "/kubepods.slice") and its descendants.
// Its ancestors up to the top visible cgroup are still read, once each, since
// their limits bind everything below them; they are not in the Tree. Without
// it Scan starts at the top visible cgroup of each hierarchy: "/" on a host.
func WithTop(path string) Option {
	return func(c *config) { c.top = path }
}
