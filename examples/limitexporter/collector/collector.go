// Package collector exports what node.Scan finds on a host as Prometheus
// metrics: per cgroup its own and effective limits, its memory usage and
// headroom with the level that binds, and one series per diagnostic; per
// node the memory-cgroup count, the cgroup mode and the scan's own cost.
//
// Every per-cgroup series carries the cgroup path as the label id, the label
// cAdvisor puts on container_memory_working_set_bytes and friends, so that
// "on(id)" joins the two; and, where package systemd's name parsing
// recognises them, pod_uid (with dashes, as kube-state-metrics' kube_pod_info
// carries it in uid), container_id, qos and runtime. No label holds a PID, a
// time or a sample: the number of series is at most a fixed number per
// cgroup plus one per diagnostic of a cgroup.
//
// It lives in a module of its own so that client_golang never enters the
// requirements of the truelimit module or what its blank import links.
package collector

import (
	"os"
	"strings"
	"sync"
	"time"

	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/node"
	"github.com/truelimit/truelimit/systemd"
	cgv1 "github.com/truelimit/truelimit/v1"
)

// MemcgIDLimit is how many memory cgroups a kernel can have: their IDs are
// 16 bits (include/linux/memcontrol.h MEM_CGROUP_ID_MAX). Beyond it mkdir
// fails with ENOSPC.
const MemcgIDLimit = 65535

// Option configures a Collector.
type Option func(*Collector)

// WithRoot reads every file under dir instead of "/" (node.WithRoot,
// limits.WithRoot): a captured or generated tree.
func WithRoot(dir string) Option { return func(c *Collector) { c.root = dir } }

// WithHostRoot reads the cgroups of the host whose root is mounted at dir
// (node.WithHostRoot): a DaemonSet with the host's /sys/fs/cgroup and /proc
// mounted at dir/sys/fs/cgroup and dir/proc. The mode then comes from the
// filesystems found there (node.Tree's Mode), and memcg-leak-risk is not
// raised (it needs limits.ForCgroup, which reads the reader's own
// mountinfo): truelimit_memory_cgroups still counts the memory cgroups.
func WithHostRoot(dir string) Option { return func(c *Collector) { c.root, c.host = dir, true } }

// WithTop exports only the cgroup at path and its descendants (node.WithTop).
func WithTop(path string) Option { return func(c *Collector) { c.top = path } }

// WithMaxAge lets a scrape reuse a scan younger than d instead of scanning
// again, so that several scrapers (or the exporter's own page) share one
// scan. Zero, the default, scans on every scrape.
func WithMaxAge(d time.Duration) Option { return func(c *Collector) { c.maxAge = d } }

// WithoutProcessViews leaves out node.WithProcessViews: no process's
// mountinfo is read, and limit-hidden-from-process is never exported.
func WithoutProcessViews() Option { return func(c *Collector) { c.noViews = true } }

// withClock replaces time.Now, for tests.
func withClock(now func() time.Time) Option { return func(c *Collector) { c.now = now } }

// Collector is a prometheus.Gatherer over node.Scan (Gather). It is safe
// for concurrent use: concurrent scrapes wait for one scan.
type Collector struct {
	root, top string
	maxAge    time.Duration
	noViews   bool
	host      bool
	now       func() time.Time

	mu     sync.Mutex
	last   *Snapshot
	errors uint64 // scans that failed
}

// New returns a Collector reading the host's cgroups, or WithRoot's tree.
func New(opts ...Option) *Collector {
	c := &Collector{root: "/", now: time.Now}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Snapshot is one scan and what the collector adds to it.
type Snapshot struct {
	// Tree is node.Scan's answer with usage, counters and, unless
	// WithoutProcessViews, process views; nil when Err is set.
	Tree *node.Tree
	// Err is the scan's error.
	Err error
	// At is when the scan started; Duration how long it took.
	At       time.Time
	Duration time.Duration
	// Mode is the host's cgroup mode (limits.ForCgroup of "/").
	Mode string
	// MemoryCgroups is the num_cgroups of R/proc/cgroups' memory line;
	// Known is false where it cannot be read or has no such line.
	MemoryCgroups limits.Count
	// Diagnostics are the per-cgroup diagnostics, in path order.
	Diagnostics []Diagnostic
	// Errors is how many scans have failed since the collector started.
	Errors uint64
}

// Diagnostic is one diagnostic of one cgroup: the series
// truelimit_diagnostic{id=Path, code=Code} 1.
type Diagnostic struct {
	Path    string
	Code    limits.Code
	Message string
}

// Snapshot returns the last scan if it is younger than WithMaxAge, or scans.
func (c *Collector) Snapshot() *Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.last != nil && c.maxAge > 0 && now.Sub(c.last.At) < c.maxAge {
		return c.last
	}
	s := c.scan(now)
	if s.Err != nil {
		c.errors++
	}
	s.Errors = c.errors
	c.last = s
	return s
}

func (c *Collector) scan(start time.Time) *Snapshot {
	opts := []node.Option{node.WithRoot(c.root), node.WithUsage(), node.WithCounters()}
	if c.host {
		opts[0] = node.WithHostRoot(c.root)
	}
	if c.top != "" {
		opts = append(opts, node.WithTop(c.top))
	}
	if !c.noViews {
		opts = append(opts, node.WithProcessViews())
	}
	s := &Snapshot{At: start}
	s.Tree, s.Err = node.Scan(opts...)
	s.Duration = c.now().Sub(start)
	top := "/"
	if s.Tree != nil {
		s.Diagnostics = diagnose(s.Tree)
		if len(s.Tree.Cgroups) > 0 {
			top = s.Tree.Cgroups[0].Path
		}
	}
	s.MemoryCgroups = memoryCgroups(c.root)
	if c.host {
		if s.Tree != nil {
			s.Mode = s.Tree.Mode.String()
		}
		return s
	}
	// The mode, and memcg-leak-risk (R/proc/cgroups; on kernels before
	// 4.15 also kernel-memory accounting in the top cgroup), as package
	// limits tells them for the top cgroup of the scan.
	res, err := limits.ForCgroup(top, limits.FormCgroupfs, limits.WithRoot(c.root))
	if err == nil {
		s.Mode = res.Mode.String()
		for _, d := range res.Diagnostics {
			if d.Code == limits.CodeMemcgLeakRisk {
				s.Diagnostics = append(s.Diagnostics, Diagnostic{Path: top, Code: d.Code, Message: d.Message})
			}
		}
	}
	return s
}

// memoryCgroups reads the memory line of R/proc/cgroups, resolved beneath
// R (os.Root), so that a tree cannot lead the read outside it.
func memoryCgroups(root string) limits.Count {
	r, err := os.OpenRoot(root)
	if err != nil {
		return limits.Count{}
	}
	defer r.Close()
	data, err := r.ReadFile("proc/cgroups")
	if err != nil {
		return limits.Count{}
	}
	e, found, err := cgv1.ParseProcCgroups(data, "memory")
	if err != nil || !found {
		return limits.Count{}
	}
	return limits.Count{Value: e.NumCgroups, Known: true}
}

// diagnose finds the diagnostics of each cgroup of the tree, by the rules
// package limits applies to one cgroup:
//   - container-outside-pod (systemd.OutsidePod) and driver-mismatch
//     (systemd.Info.KubeletCgroupfsName on a tree holding /system.slice or
//     /init.scope), each on the outermost cgroup it holds for only: the
//     cgroups below it are part of the same misplaced container or pod;
//   - limit-in-ancestor where the effective memory limit, memory.high or CPU
//     limit is set by another cgroup than the own one;
//   - limit-hidden-from-process where the leaf's process cannot see a limit
//     that binds it (node.ProcessView).
func diagnose(t *node.Tree) []Diagnostic {
	var out []Diagnostic
	managed := systemdManaged(t)
	var outside, mismatch string // the outermost flagged cgroup of the current subtree
	for i := range t.Cgroups {
		cg := &t.Cgroups[i]
		if (outside == "" || !below(cg.Path, outside)) && systemd.OutsidePod(cg.Path) {
			outside = cg.Path
			out = append(out, Diagnostic{Path: cg.Path, Code: limits.CodeContainerOutsidePod,
				Message: "named as part of a Kubernetes pod but no kubepods pod cgroup is among its ancestors: no pod limit applies"})
		}
		if managed != "" && (mismatch == "" || !below(cg.Path, mismatch)) && systemd.Parse(cg.Path).KubeletCgroupfsName() {
			mismatch = cg.Path
			out = append(out, Diagnostic{Path: cg.Path, Code: limits.CodeDriverMismatch,
				Message: "follows kubelet's cgroupfs naming on a host whose cgroups systemd manages (" + managed + " exists)"})
		}
		if by := inAncestor(cg); by != "" {
			out = append(out, Diagnostic{Path: cg.Path, Code: limits.CodeLimitInAncestor, Message: by})
		}
		if v := cg.Process; v != nil && len(v.Hidden) > 0 {
			out = append(out, Diagnostic{Path: cg.Path, Code: limits.CodeLimitHiddenFromProcess,
				Message: "its process cannot see the " + strings.Join(v.Hidden, ", ") + " limit that binds it"})
		}
	}
	return out
}

// below reports whether path is strictly below the cgroup anc.
func below(path, anc string) bool {
	return strings.HasPrefix(path, anc) && len(path) > len(anc) && (anc == "/" || path[len(anc)] == '/')
}

// systemdManaged returns the unit directory at the top of the tree that
// shows systemd manages it ("/system.slice", "/init.scope"), or "": as
// package limits decides driver-mismatch, at a hierarchy mounted from the
// root cgroup only.
func systemdManaged(t *node.Tree) string {
	for _, h := range t.Hierarchies {
		if h.MountRoot != "/" {
			continue
		}
		for _, unit := range []string{"/system.slice", "/init.scope"} {
			if t.Lookup(unit) != nil {
				return unit
			}
		}
	}
	return ""
}

// inAncestor names the limits whose effective value a cgroup above this one
// sets, or "".
func inAncestor(cg *node.Cgroup) string {
	var set []string
	add := func(name string, state limits.State, source string) {
		if state == limits.Limited && source != cg.Path {
			set = append(set, name+" by "+source)
		}
	}
	add("memory limit", cg.Effective.Memory.State, cg.Effective.Memory.Source)
	add("memory.high", cg.Effective.High.State, cg.Effective.High.Source)
	add("CPU limit", cg.Effective.CPU.State, cg.Effective.CPU.Source)
	if len(set) == 0 {
		return ""
	}
	return "set above it: " + strings.Join(set, ", ")
}
