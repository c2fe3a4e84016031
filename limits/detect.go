package limits

import (
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"

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
// pids hierarchies (in a v1 memory hierarchy only when the leaf's memory.stat
// shows that a level sets a limit). It is safe for concurrent use.
func Detect(opts ...Option) (Result, error) {
	cfg := newConfig(opts)
	cfg.details = fullDetails{}
	return detect(cfg)
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
	cfg.pid, cfg.pidID = strconv.Itoa(pid), pid
	cfg.details = fullDetails{}
	return detect(cfg)
}

func detect(cfg config) (Result, error) {
	res, _, err := run(cfg, nil)
	return res, err
}

// locate finds the cgroup of controller from the parsed mountinfo and
// /proc/<pid>/cgroup: the process's own, or through cfg.target ForCgroup's.
func (r *reader) locate(controller string) (cgroup.Location, error) {
	if r.cfg.target != nil {
		return r.cfg.target(r, controller)
	}
	return cgroup.Locate(r.mounts, r.members, controller)
}

// readers keeps readers, with their buffers, between detections: a detection
// then allocates only what its Result keeps.
var readers = sync.Pool{New: func() any {
	return &reader{buf: make([]byte, 0, 8192), path: make([]byte, 0, 512)}
}}

// run is the detection shared by Detect, ForPID, ForCgroup, the setters and
// the refresh loop: read the reader's mountinfo and the process's (or
// caller's) /proc/<pid>/cgroup, locate each controller's cgroup, read the
// host's totals and walk the memory and cpu hierarchies; with cfg.details
// also the rest a report shows. With open set, interface files are read
// through handles kept open for later refreshes.
func run(cfg config, open *openFiles) (Result, placements, error) {
	if cfg.root == "/" && runtime.GOOS != "linux" {
		return Result{}, placements{}, ErrNotSupported
	}
	r := readers.Get().(*reader)
	defer r.release()
	r.reset(cfg, open)

	const mountinfo = "/proc/self/mountinfo"
	data, err := r.readProc(mountinfo)
	if err != nil {
		return Result{}, placements{}, r.fatal(mountinfo, err)
	}
	if r.mounts, err = cgroup.AppendMountInfo(r.mounts[:0], data); err != nil {
		return Result{}, placements{}, &Error{Path: r.abs(mountinfo), Err: err}
	}
	if cfg.cgroupPath == "" || cfg.relative {
		pid := cfg.pid
		if cfg.cgroupPath != "" {
			pid = "self"
		}
		if err = r.memberships(pid); err != nil {
			return Result{}, placements{}, err
		}
	}

	r.res.Mode = cgroup.ModeOf(r.mounts)
	r.readHost()
	if r.res.Mode == cgroup.ModeNone {
		r.event(event{kind: eventNoCgroup})
		return r.res, placements{}, nil
	}
	p, err := r.locateAll()
	if err != nil {
		return Result{}, placements{}, err
	}
	r.walkLimits(p)
	if cfg.details != nil {
		cfg.details.finish(r, p)
	}
	return r.res, p, nil
}

// fatal wraps the failure to read a file without which there is no answer;
// a bare errno (how a missing file is read) becomes an *fs.PathError.
func (r *reader) fatal(path string, err error) *Error {
	if errno, ok := err.(syscall.Errno); ok {
		err = &fs.PathError{Op: "open", Path: r.abs(path), Err: errno}
	}
	return &Error{Path: r.abs(path), Err: err}
}

// memberships reads and parses /proc/<pid>/cgroup into r.members.
func (r *reader) memberships(pid string) error {
	path := "/proc/self/cgroup"
	if pid != "self" {
		path = "/proc/" + pid + "/cgroup"
	}
	data, err := r.readProc(path)
	if err != nil {
		return r.fatal(path, err)
	}
	if r.members, err = cgroup.AppendProcCgroup(r.members[:0], data); err != nil {
		return &Error{Path: r.abs(path), Err: err}
	}
	return nil
}

// walkLimits walks what the setters follow: the memory limit and memory.high
// over the memory walk, and the CPU quota over the cpu walk.
func (r *reader) walkLimits(p placements) {
	if mem := p[memoryIdx]; mem.found {
		if mem.loc.Version == 1 {
			r.memoryV1(mem)
		} else {
			r.memoryV2(mem)
		}
		if mem.loc.Mount.Root != "/" {
			r.event(event{kind: eventMountRoot, loc: mem.loc})
		}
	}
	if cpu := p[cpuIdx]; cpu.found {
		r.cpuLimit(cpu)
		if cpu.loc.Mount.Root != "/" {
			r.event(event{kind: eventMountRoot, loc: cpu.loc})
		}
	}
}

// diagnoseAncestors adds limit-in-ancestor, and ancestors-hidden for the
// reasons collected in r.hidden.
func (r *reader) diagnoseAncestors(p placements) {
	var msg strings.Builder
	above := func(what string, value []byte, unit, source string) {
		if msg.Len() == 0 {
			msg.Grow(256)
			msg.WriteString("the binding limit is set above the process's own cgroup (")
		} else {
			msg.WriteString("; ")
		}
		msg.WriteString(what)
		msg.Write(value)
		msg.WriteString(unit)
		msg.WriteString(source)
	}
	var num [32]byte
	m := &r.res.Memory
	if m.Limit.State == Limited && m.Limit.Source != p[memoryIdx].loc.Path {
		above("memory limit ", strconv.AppendUint(num[:0], m.Limit.Bytes, 10), " bytes from ", m.Limit.Source)
	}
	if m.High.State == Limited && m.High.Source != p[memoryIdx].loc.Path {
		above("memory.high ", strconv.AppendUint(num[:0], m.High.Bytes, 10), " bytes from ", m.High.Source)
	}
	if c := r.res.CPU.Limit; c.State == Limited && c.Source != p[cpuIdx].loc.Path {
		above("CPU limit ", strconv.AppendFloat(num[:0], c.CPUs(), 'g', -1, 64), " from ", c.Source)
	}
	if msg.Len() > 0 {
		msg.WriteString("); tools that read only the leaf miss it")
		r.diag(CodeLimitInAncestor, msg.String())
	}
	if len(r.hidden) > 0 {
		r.diag(CodeAncestorsHidden, "the top visible cgroup is not the host's root, so limits above it may be invisible: "+strings.Join(r.hidden, "; "))
	}
}
