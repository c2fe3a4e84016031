package limits

// Option configures Detect, ForPID and ForCgroup.
type Option func(*config)

type config struct {
	root string
	walk bool
	pid  string   // the process Detect or ForPID reports on: "self" or a number
	form PathForm // how ForCgroup reads its path
	// target is ForCgroup's path as given; non-empty, the walk may start
	// above a cgroup that does not exist yet.
	target string
}

func newConfig(opts []Option) config {
	c := config{root: "/", pid: "self"}
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
