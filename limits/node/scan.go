package node

import (
	"runtime"
	"strings"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/cgpath"
	"github.com/truelimit/truelimit/internal/readfile"
	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/internal/under"
)

// pathMax is PATH_MAX (include/uapi/linux/limits.h): no cgroup path is that
// long.
const pathMax = 4096

// maxMountInfo bounds mountinfo: a busy node can hold thousands of mounts.
const maxMountInfo = 16 << 20

// Scan returns the own and effective limits of every cgroup below the top
// (WithTop; by default the top visible cgroup, "/" on a host) in one
// top-down walk per hierarchy. It reads R/proc/self/mountinfo for the cgroup
// mounts (R is WithRoot's directory, "/" by default), then each cgroup's own
// interface files exactly once, never an ancestor's again: a cgroup's
// effective limit is the lower of its own and its parent's effective one,
// the closer cgroup winning a tie, which is what limits.ForCgroup computes
// walking up from it (Documentation/admin-guide/cgroup-v2.rst, "Top-down
// Constraint"; cgroup-v1/memory.rst for use_hierarchy).
//
// Files read per cgroup. v2: memory.max, memory.high, cpu.max,
// cpuset.cpus.effective, pids.max; cgroup.controllers only where no level of
// the walk has one of the limit files, the one case where it decides between
// unlimited and unknown (the root cgroup, which has none of them). v1, in
// each controller's hierarchy: memory.limit_in_bytes, memory.use_hierarchy
// where the cgroup has children, memory.stat (hierarchical_memory_limit) of
// the top visible cgroup only; cpu.cfs_quota_us, cpu.cfs_period_us where a
// quota is set; cpuset.effective_cpus, or cpuset.cpus where it is missing;
// pids.max. docs/ARCHITECTURE.md says how the directories are listed.
// WithProcessViews adds, per leaf cgroup, its cgroup.procs and, for its
// first process, R/proc/<pid>/mountinfo and R/proc/<pid>/cgroup (see
// ProcessView). WithUsage adds, in the memory hierarchy, each cgroup's v2
// memory.current (v1 memory.usage_in_bytes), and that of each ancestor of
// the top whose memory limit is set (see CgroupUsage). WithCounters adds
// each cgroup's v2 memory.events.local (v1 memory.failcnt and
// memory.oom_control) in the memory hierarchy and its cpu.stat in the cpu
// one (see CgroupCounters). Without them no other file is read.
//
// On v2 one walk reads every controller. On v1 each controller hierarchy
// (memory; cpu,cpuacct; cpuset; pids) is walked on its own and the answers
// are joined by cgroup path; see Cgroup.Absent for a path that exists in some
// hierarchies only. Files that cannot be read or parsed make the values they
// feed unknown and add a diagnostic. A cgroup removed during the scan is left
// out, or its values read after the removal are Unknown with a read-error
// diagnostic.
//
// Where Scan and ForCgroup can differ, on trees no kernel writes: a v2
// directory without cgroup.controllers is all unknown for ForCgroup; a v1
// memory.stat below the top visible cgroup is not read (the top's sees every
// hidden ancestor, and settles the memory limit's scope); Scan uses the one
// mount of each hierarchy that holds the top. The scope of each value is
// decided at the top visible cgroup by that controller's files there, as
// ForCgroup's walks decide it. It does not report swap, memsw or CPU weight.
//
// With WithUsage, where the top visible cgroup is not the host's root, the
// headroom is over the visible levels, plus, on v1 when the effective
// memory limit is the top's hierarchical_memory_limit (set by a level
// hidden above it), that limit minus the cgroup's own usage, an upper
// bound: as limits.ForCgroupUsage gives it.
//
// An error is returned only when mountinfo cannot be read or parsed, the top
// is not a clean cgroup path, or the top exists in no hierarchy. It is safe
// for concurrent use.
func Scan(opts ...Option) (*Tree, error) {
	cfg := newConfig(opts)
	if (cfg.root == "/" || cfg.host) && runtime.GOOS != "linux" {
		return nil, limits.ErrNotSupported
	}
	if len(cfg.top) >= pathMax {
		return nil, &limits.CgroupPathError{Path: cfg.top[:64] + "...", Reason: "is longer than PATH_MAX"}
	}
	if cfg.top != "" && !cgpath.IsClean(cfg.top) {
		return nil, &limits.CgroupPathError{Path: cfg.top, Reason: "is not a clean absolute cgroup path"}
	}
	// Every file and the top of every hierarchy are opened beneath the
	// root (readfile.Root); below a top, directories are opened relative to
	// their parent without following links.
	var rd readfile.Root
	rd.Set(cfg.root, readfile.Contained())
	defer rd.Close()
	read := readMounts
	if cfg.host {
		read = hostMounts
	}
	mounts, err := read(&rd, cfg.root)
	if err != nil {
		return nil, err
	}
	t := &Tree{Mode: cgroup.ModeOf(mounts)}
	diag := func(code limits.Code, msg string) {
		t.Diagnostics = append(t.Diagnostics, limits.Diagnostic{Code: code, Message: msg})
	}
	if t.Mode == cgroup.ModeNone {
		diag(limits.CodeNoCgroup, "no cgroup or cgroup2 filesystem is mounted: there are no cgroups to scan")
		return t, nil
	}
	s := newScanner(cfg.root, &t.Diagnostics)
	s.dir = &rd
	if cfg.views {
		s.views = newViews()
	}
	if cfg.usage {
		s.usage = &blocks[CgroupUsage]{}
	}
	if cfg.counters {
		s.counters = &blocks[CgroupCounters]{}
	}
	var parts []part
	var missing error
	for _, h := range locateHierarchies(mounts, cfg.top, diag) {
		cgroups, err := s.walk(h)
		if err != nil {
			if isNotExist(err) {
				missing = err
			}
			diag(limits.CodeCgroupUnreachable, "cannot open cgroup "+h.loc.Path+" of the "+strings.Join(h.ctl.names(), ",")+
				" hierarchy: "+err.Error()+"; its limits are unknown")
			continue
		}
		t.Hierarchies = append(t.Hierarchies, Hierarchy{
			Controllers: h.ctl.names(),
			Version:     h.loc.Version,
			MountPoint:  h.loc.Mount.MountPoint,
			MountRoot:   h.loc.Mount.Root,
			Top:         h.loc.Path,
		})
		parts = append(parts, part{ctl: h.ctl, cgroups: cgroups})
	}
	if len(parts) == 0 && missing != nil {
		return nil, &limits.Error{Path: cfg.top, Err: missing}
	}
	t.Cgroups = merge(parts)
	if cfg.views {
		t.addProcessDiagnostics()
	}
	if cfg.usage {
		t.fillUsage()
	}
	if cfg.counters {
		t.fillCounters()
	}
	return t, nil
}

// readMounts reads and parses R/proc/self/mountinfo.
func readMounts(rd *readfile.Root, root string) ([]cgroup.Mount, error) {
	path := under.Prefix(root) + "/proc/self/mountinfo"
	data, err := rd.Read(append([]byte(path), 0), nil, maxMountInfo, readfile.AtEOF)
	if err != nil {
		return nil, &limits.Error{Path: path, Err: err}
	}
	mounts, err := cgroup.AppendMountInfo(nil, data)
	if err != nil {
		return nil, &limits.Error{Path: path, Err: err}
	}
	return mounts, nil
}
