package limits

import (
	"github.com/truelimit/truelimit/internal/readfile"
	"github.com/truelimit/truelimit/limits/internal/under"
)

// Option configures Detect, ForPID and ForCgroup: WithRoot and WithWalk.
type Option interface{ applyDetect(config) config }

type config struct {
	root    string
	beneath readfile.Beneath // how files beneath a root other than "/" are opened
	walk    bool
	// usage, set by DetectUsage, ForPIDUsage and ForCgroupUsage, is where
	// the report puts the usage it reads.
	usage *Usage
}

func newConfig(opts []Option) config {
	c := config{root: "/"}
	for _, o := range opts {
		c = o.applyDetect(c)
	}
	return c
}

// RootOption is WithRoot's option: Detect, ForPID, ForCgroup and both
// setters take it.
type RootOption interface {
	Option
	SetterOption
}

// WithRoot reads every file under dir instead of "/": dir/proc/self/mountinfo,
// dir/proc/<pid>/cgroup, dir/proc/meminfo, and each cgroup file at dir plus
// its mount point. Use it to inspect a captured tree or a container's root.
// The live-only facts (CPU affinity, the cgroup namespace) are not read then.
func WithRoot(dir string) RootOption { return rootOption(under.Root(dir)) }

type rootOption string

// The root option brings the way to read beneath a root (readfile.Contained):
// a program that only reads the live system does not link it.
func (o rootOption) applyDetect(c config) config {
	c.root, c.beneath = string(o), readfile.Contained()
	return c
}

func (o rootOption) applyMemory(c *memoryConfig) {
	c.root, c.beneath = string(o), readfile.Contained()
}

func (o rootOption) applyProcs(c *procsConfig) {
	c.root, c.beneath = string(o), readfile.Contained()
}

// WithWalk records every interface file read on the walk in Result.Walk, for
// reports that show the walk level by level. It costs an allocation per file.
func WithWalk() Option { return walkOption{} }

type walkOption struct{}

func (walkOption) applyDetect(c config) config { c.walk = true; return c }
