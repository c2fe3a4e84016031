package limits

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/readfile"
	"github.com/truelimit/truelimit/limits/internal/own"
)

// ErrNotSupported is returned off Linux for the live system: cgroups exist
// only there. Reading a captured tree with WithRoot works everywhere.
var ErrNotSupported = errors.New("limits: cgroups are supported only on Linux")

// ErrInvalidPID is returned by ForPID for a PID that cannot name a process.
var ErrInvalidPID = errors.New("limits: invalid pid")

// Error reports a file without which no answer is possible: the reader's
// mountinfo or the process's /proc/<pid>/cgroup. Err is the *fs.PathError or
// *cgroup.ParseError underneath; errors.Is(err, fs.ErrNotExist) tells a
// process that has exited.
type Error struct {
	Path string
	Err  error
}

func (e *Error) Error() string { return "limits: " + e.Path + ": " + e.Err.Error() }

func (e *Error) Unwrap() error { return e.Err }

// Detect returns the effective limits of the calling process. It reads
// R/proc/self/mountinfo (R is WithRoot's directory, "/" by default) for the
// cgroup mounts and R/proc/self/cgroup for the process's cgroups, then, in
// each of the memory, cpu, cpuset and pids hierarchies, the interface files
// of every level from the process's cgroup up to the top visible one (v2
// memory.max, memory.high, memory.swap.max, cpu.max, cpuset.cpus.effective,
// pids.max; v1 memory.stat, memory.limit_in_bytes, memory.use_hierarchy,
// memory.memsw.limit_in_bytes, cpu.cfs_quota_us, cpu.cfs_period_us,
// cpuset.effective_cpus, pids.max), the leaf's cpu.weight or cpu.shares,
// and the host's totals (R/proc/meminfo, R/sys/devices/system/cpu/online).
// On the live system, where LXCFS serves /proc/meminfo (a fuse.lxcfs mount
// in mountinfo) with a MemTotal below the kernel's (sysinfo(2)), that
// MemTotal is a memory limit candidate: LXCFS computes it on the host over
// levels the process may not see. Each value's Scope says whether it is
// the effective limit or only the tightest visible. docs/SEMANTICS.md says
// exactly which files and how they combine. It is safe for concurrent use.
func Detect(opts ...Option) (Result, error) {
	return detect(newConfig(opts), 0)
}

// ForPID returns the effective limits of another process, reading what
// Detect reads with R/proc/<pid>/cgroup for its cgroups. Those paths are
// resolved against the caller's own mountinfo: the kernel prints another
// process's cgroup paths relative to the reader's cgroup namespace. It also
// reads R/proc/<pid>/mountinfo, whose cgroup mount roots show the top cgroup
// the process itself can see, and reports CodeLimitHiddenFromProcess when a
// binding limit sits above it: run from the host, it says what a container
// is told and what really applies. It is safe for concurrent use.
func ForPID(pid int, opts ...Option) (Result, error) {
	return forPID(pid, newConfig(opts))
}

func forPID(pid int, cfg config) (Result, error) {
	if pid <= 0 {
		return Result{}, fmt.Errorf("%w: %d", ErrInvalidPID, pid)
	}
	return detect(cfg, pid)
}

// detect is Detect and ForPID: the process's own cgroups, reported.
func detect(cfg config, pid int) (Result, error) {
	if cfg.root == "/" && runtime.GOOS != "linux" {
		return Result{}, ErrNotSupported
	}
	r := newReader(cfg.root, cfg.beneath, nil)
	defer r.release()
	if pid == 0 && cfg.root == "/" {
		r.onMountInfo = findLXCFS
	}
	if err := r.start(pid, true); err != nil {
		return Result{}, err
	}
	return r.report(cfg, pid, (*reader).locateOwn)
}

// report reads everything a report shows, once the cgroups can be located
// with find, and builds the Result with its diagnostics from what was read.
func (r *reader) report(cfg config, pid int, find locator) (Result, error) {
	r.keep, r.readMore = true, (*own.Reader).ReadMore
	r.res.Mode = cgroup.ModeOf(r.mounts)
	r.readHost(pid, true)
	r.readOnlineCPUs()
	if r.res.Mode == cgroup.ModeNone {
		r.diag(CodeNoCgroup, r.noCgroupReason()+": only the host's totals are known")
		return r.res, nil
	}
	if err := r.locate(len(controllerNames), find); err != nil {
		return Result{}, err
	}
	r.walkMemory(true)
	if r.lxcfs {
		r.res.Memory.Limit = applyLXCFS(r.res.Memory.Limit, r.res.Host.MemTotal, kernelTotalRAM())
	}
	r.walkCPU()
	r.readWeight()
	r.walkCPUSet()
	r.walkPids()
	if mem := r.placed[memoryIdx]; mem.found && mem.loc.Version == 1 {
		r.leakRisk(mem.loc)
	}
	r.res.Placements = r.placements()
	if cfg.walk {
		r.res.Walk = r.walkRecord()
	}
	r.diagnose()
	if cfg.usage != nil {
		(&usageReader{r: r, find: find}).read(cfg.usage)
	}
	if pid != 0 {
		r.diagnoseHidden(pid)
	}
	return r.res, nil
}

// detectForSetters is the detection of the setters and their refresh: only
// what GOMEMLIMIT and GOMAXPROCS follow (the memory limit and memory.high,
// the CPU quota, the CPU affinity that caps GOMAXPROCS, with hostMemory the
// host's MemTotal, and with readShared the usages of the shared-limit
// policy and its note), none of the diagnostics. With open set, interface
// files and R/proc/self/cgroup are read through handles kept open for the
// refresh loop, and the located cgroups come with a copy of what
// R/proc/self/cgroup said.
func detectForSetters(root string, beneath readfile.Beneath, hostMemory, readShared bool, open *openFiles) (Result, located, error) {
	if root == "/" && runtime.GOOS != "linux" {
		return Result{}, located{}, ErrNotSupported
	}
	r := newReader(root, beneath, open)
	defer r.release()
	if err := r.start(0, true); err != nil {
		return Result{}, located{}, err
	}
	r.res.Mode = cgroup.ModeOf(r.mounts)
	r.readHost(0, hostMemory)
	if r.res.Mode == cgroup.ModeNone {
		return r.res, located{selfCgroup: r.located}, nil
	}
	if err := r.locate(cpuIdx+1, (*reader).locateOwn); err != nil {
		return Result{}, located{}, err
	}
	r.walkMemory(false)
	var shared sharedUsage
	if readShared {
		shared = r.readSharedUsage()
	}
	r.walkCPU()
	return r.res, located{placed: r.placed, selfCgroup: r.located, usages: shared}, nil
}

// located is where the setters' detection found the process's cgroups.
type located struct {
	placed placements
	// selfCgroup is R/proc/self/cgroup as the cgroups were located from it
	// (a copy, kept only for the refresh loop): a move into another cgroup
	// shows there and nowhere else.
	selfCgroup []byte
	// usages are what the shared-limit policy reads, under the policy:
	// at the detection and on every refresh.
	usages sharedUsage
}

// placements lists the located cgroups for Result.Placements.
func (r *reader) placements() []Placement {
	var out []Placement
	for i, p := range r.placed {
		if p.found {
			if out == nil {
				out = make([]Placement, 0, len(r.placed))
			}
			out = append(out, Placement{
				Controller: controllerNames[i],
				Version:    p.loc.Version,
				Path:       p.loc.Path,
				MountPoint: p.loc.Mount.MountPoint,
				MountRoot:  p.loc.Mount.Root,
			})
		}
	}
	return out
}
