package limits

import (
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"github.com/truelimit/truelimit/cgroup"
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

// Detect returns the effective limits of the calling process. It reads the
// process's mountinfo and /proc/self/cgroup, then every level from the
// process's cgroup up to the top visible one in the memory, cpu, cpuset and
// pids hierarchies. It is safe for concurrent use.
func Detect(opts ...Option) (Result, error) {
	return detect(newConfig(opts))
}

// ForPID returns the effective limits of another process. Its
// /proc/<pid>/cgroup is resolved against the caller's own mountinfo: the
// kernel prints another process's cgroup paths relative to the reader's
// cgroup namespace. It is safe for concurrent use.
func ForPID(pid int, opts ...Option) (Result, error) {
	if pid <= 0 {
		return Result{}, fmt.Errorf("%w: %d", ErrInvalidPID, pid)
	}
	cfg := newConfig(opts)
	cfg.pid = strconv.Itoa(pid)
	return detect(cfg)
}

func detect(cfg config) (Result, error) {
	res, _, err := run(cfg, nil, ownCgroup)
	return res, err
}

// ownCgroup locates the cgroups of the process cfg.pid names.
func ownCgroup(mounts []cgroup.Mount, r *reader) (locator, error) {
	members, err := r.memberships(r.cfg.pid)
	if err != nil {
		return nil, err
	}
	return func(controller string) (cgroup.Location, error) {
		return cgroup.Locate(mounts, members, controller)
	}, nil
}

// locator finds the cgroup of one controller.
type locator func(controller string) (cgroup.Location, error)

// run is the detection shared by Detect, ForPID, ForCgroup and the refresh
// loop: read the reader's mountinfo, let newLocator decide which cgroup to
// start from, read the host's totals and walk every hierarchy. With open set,
// interface files are read through handles kept open for later refreshes.
func run(cfg config, open *openFiles, newLocator func([]cgroup.Mount, *reader) (locator, error)) (Result, placements, error) {
	if cfg.root == "/" && runtime.GOOS != "linux" {
		return Result{}, placements{}, ErrNotSupported
	}
	var res Result
	r := &reader{cfg: cfg, res: &res, open: open}

	const mountinfo = "/proc/self/mountinfo"
	data, err := r.readProc(mountinfo)
	if err != nil {
		return Result{}, placements{}, &Error{Path: r.abs(mountinfo), Err: err}
	}
	mounts, err := cgroup.ParseMountInfo(data)
	if err != nil {
		return Result{}, placements{}, &Error{Path: r.abs(mountinfo), Err: err}
	}
	locate, err := newLocator(mounts, r)
	if err != nil {
		return Result{}, placements{}, err
	}

	res.Mode = cgroup.ModeOf(mounts)
	r.readHost()
	if res.Mode == cgroup.ModeNone {
		r.diag(CodeNoCgroup, "no cgroup or cgroup2 filesystem is mounted: only the host's totals are known")
		return res, placements{}, nil
	}
	p, err := r.locateAll(locate)
	if err != nil {
		return Result{}, placements{}, err
	}
	r.limits(p)
	r.diagnoseNames(mounts, p)
	return res, p, nil
}

// memberships reads and parses /proc/<pid>/cgroup.
func (r *reader) memberships(pid string) ([]cgroup.Membership, error) {
	path := "/proc/" + pid + "/cgroup"
	data, err := r.readProc(path)
	if err != nil {
		return nil, &Error{Path: r.abs(path), Err: err}
	}
	members, err := cgroup.ParseProcCgroup(data)
	if err != nil {
		return nil, &Error{Path: r.abs(path), Err: err}
	}
	return members, nil
}

// limits walks every located hierarchy and adds the diagnostics that need
// the whole answer.
func (r *reader) limits(p placements) {
	var hidden []string
	if mem := p[memoryIdx]; mem.found {
		if mem.loc.Version == 1 {
			hidden = append(hidden, r.memoryV1(mem)...)
		} else {
			hidden = append(hidden, r.memoryV2(mem)...)
		}
		if mem.loc.Mount.Root != "/" {
			hidden = append(hidden, "the memory hierarchy is mounted from cgroup "+mem.loc.Mount.Root+", not the root")
		}
	}
	if cpu := p[cpuIdx]; cpu.found {
		hidden = append(hidden, r.cpuLimit(cpu)...)
		r.cpuWeight(cpu)
		if cpu.loc.Mount.Root != "/" {
			hidden = append(hidden, "the cpu hierarchy is mounted from cgroup "+cpu.loc.Mount.Root+", not the root")
		}
	}
	if set := p[cpusetIdx]; set.found {
		r.cpuset(set)
	}
	if pids := p[pidsIdx]; pids.found {
		r.pids(pids)
	}
	if (p[memoryIdx].found || p[cpuIdx].found) && r.cfg.root == "/" && !r.refreshing {
		if reason := foreignCgroupNamespace(); reason != "" {
			hidden = append(hidden, reason)
		}
	}
	r.diagnoseAncestors(p, hidden)
}

// diagnoseAncestors adds limit-in-ancestor and ancestors-hidden.
func (r *reader) diagnoseAncestors(p placements, hidden []string) {
	var above []string
	m := &r.res.Memory
	if m.Limit.State == Limited && m.Limit.Source != p[memoryIdx].loc.Path {
		above = append(above, "memory limit "+strconv.FormatUint(m.Limit.Bytes, 10)+" bytes from "+m.Limit.Source)
	}
	if m.High.State == Limited && m.High.Source != p[memoryIdx].loc.Path {
		above = append(above, "memory.high "+strconv.FormatUint(m.High.Bytes, 10)+" bytes from "+m.High.Source)
	}
	if c := r.res.CPU.Limit; c.State == Limited && c.Source != p[cpuIdx].loc.Path {
		above = append(above, "CPU limit "+strconv.FormatFloat(c.CPUs(), 'g', -1, 64)+" from "+c.Source)
	}
	if len(above) > 0 {
		r.diag(CodeLimitInAncestor, "the binding limit is set above the process's own cgroup ("+strings.Join(above, "; ")+"); tools that read only the leaf miss it")
	}
	if len(hidden) > 0 {
		r.diag(CodeAncestorsHidden, "the top visible cgroup is not the host's root, so limits above it may be invisible: "+strings.Join(hidden, "; "))
	}
}
