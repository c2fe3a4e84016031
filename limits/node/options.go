package node

import "github.com/truelimit/truelimit/limits/internal/under"

// Option configures Scan.
type Option func(*config)

type config struct {
	root     string
	top      string // "" for the top visible cgroup of each hierarchy
	views    bool   // WithProcessViews
	usage    bool   // WithUsage
	counters bool   // WithCounters
	host     bool   // WithHostRoot
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

// WithProcessViews makes Scan also tell, for each leaf cgroup (one without
// child cgroups) of every hierarchy walked, what a process in it can see of
// the limits that bind it: the limits set above the top cgroup of its own
// cgroup mount (its cgroup namespace root, or the cgroup a runtime
// bind-mounted) bind it, but it cannot read them. Scan reads the first PID of
// the leaf's cgroup.procs, then R/proc/<pid>/mountinfo and R/proc/<pid>/cgroup,
// and records a ProcessView in Cgroup.Process; each leaf whose process cannot
// see a memory limit, memory.high, CPU limit or pids limit that binds it adds
// one limit-hidden-from-process diagnostic saying what the process sees and
// what applies. A leaf with no process, or whose process cannot be read (it
// exited, EACCES), has no view and adds nothing; it is never an error. Without
// this option none of these files are read.
func WithProcessViews() Option {
	return func(c *config) { c.views = true }
}

// WithUsage makes Scan also read each cgroup's memory usage, v2
// memory.current (v1 memory.usage_in_bytes) in the memory hierarchy, once
// each, and record in Cgroup.Usage its usage and its headroom: over the
// levels from the cgroup up to the top visible cgroup whose hard memory
// limit counts (v1: below every memory.use_hierarchy of 0, as for the
// effective limit), the lowest of that level's limit minus that level's own
// usage, clamped at 0; the closest level on a tie. It is computed top-down,
// each level's usage read once for all the cgroups below it, and is what
// limits.ForCgroupUsage reports as Memory.Headroom, within the levels the
// scan sees (see Scan). Of the ancestors of WithTop's cgroup, the usage is
// read of those whose hard memory limit is set. Without this option no
// usage file is read.
func WithUsage() Option {
	return func(c *config) { c.usage = true }
}

// WithCounters makes Scan also read each cgroup's own event counters, once
// each, into Cgroup.Counters: v2 memory.events.local (v1 memory.failcnt and
// memory.oom_control) in the memory hierarchy, cpu.stat in the cpu
// hierarchy (see CgroupCounters). Without this option none of these files
// is read.
func WithCounters() Option {
	return func(c *config) { c.counters = true }
}

// WithHostRoot reads the cgroups of the host whose root directory is
// mounted at dir, from a container: the hierarchies are found under
// dir/sys/fs/cgroup by filesystem type (statfs(2): cgroup2 there, or one v1
// hierarchy per subdirectory, named after its controllers as systemd and
// kubelet hosts name them), each mounted from the host's root cgroup "/",
// and dir/proc/self/mountinfo is not read: in a container it describes the
// container's own mounts, and in a private cgroup namespace it prints the
// host's hierarchies as "/..". A DaemonSet mounts the host's /sys/fs/cgroup
// at dir/sys/fs/cgroup and /proc at dir/proc, read-only. The cgroup paths
// are then the host's, as it writes them in /proc/<pid>/cgroup. It implies
// WithRoot(dir); on Linux only. With WithProcessViews the PIDs of
// cgroup.procs are those of the reader's PID namespace and the mount roots
// of dir/proc/<pid>/mountinfo are printed relative to its cgroup namespace:
// combine the two only where the reader shares the host's (hostPID, and
// the host's cgroup namespace).
func WithHostRoot(dir string) Option {
	return func(c *config) { c.root, c.host = under.Root(dir), true }
}
