// Package own is the one reading of one cgroup: what a cgroup directory's own
// interface files say, for the files asked for, as plain data. Both ways of
// answering use it: the bottom-up walk of package limits (Detect, ForPID,
// ForCgroup, the setters and their refresh) and the top-down scan of package
// node. A new per-cgroup value is added here, once.
//
// Read takes the directory as a Dir, so that each caller keeps its own I/O
// (paths under a root, files kept open for a refresh, openat relative to a
// directory), and returns for each file asked for its value, or that it is
// absent, holds a bad value, could not be read, or is missing where every
// such cgroup has it. Combining the values of many cgroups is package
// effective's job; turning problems into diagnostics is Problems'.
package own

import (
	"errors"
	"io/fs"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/parse"
	cgv1 "github.com/truelimit/truelimit/v1"
	cgv2 "github.com/truelimit/truelimit/v2"
)

// MaxInterfaceFile bounds one read of an interface file: they are small, and
// a file that is not (a hostile tree) must not cost memory out of
// proportion.
const MaxInterfaceFile = 64 << 10

// Dir reads the interface files of one cgroup directory.
type Dir interface {
	// ReadFile returns the content of the named file, read into buf (which
	// it may grow and return). A file that does not exist is an error
	// matching fs.ErrNotExist.
	ReadFile(name string, buf []byte) ([]byte, error)
}

// Want is a set of values to read. Each value is one file, or on v1 two
// (the CPU quota with its period, the cpuset with its fallback).
type Want uint16

// The values Read can read. Some exist on one version only; asked for on the
// other, they are not read.
const (
	// MemoryLimit: v2 memory.max, v1 memory.limit_in_bytes (which every v1
	// memory cgroup has: absent, it is Missing).
	MemoryLimit Want = 1 << iota
	// MemoryHigh: v2 memory.high.
	MemoryHigh
	// Swap: v2 memory.swap.max (swap only), v1 memory.memsw.limit_in_bytes
	// (memory plus swap).
	Swap
	// UseHierarchy: v1 memory.use_hierarchy.
	UseHierarchy
	// MemoryStat: v1 memory.stat, for hierarchical_memory_limit and
	// hierarchical_memsw_limit.
	MemoryStat
	// Kmem: v1 memory.kmem.usage_in_bytes and memory.kmem.limit_in_bytes.
	Kmem
	// CPUQuota: v2 cpu.max; v1 cpu.cfs_quota_us and, for a quota,
	// cpu.cfs_period_us (Missing when absent beside a quota).
	CPUQuota
	// Weight: v2 cpu.weight, v1 cpu.shares.
	Weight
	// CPUSet: v2 cpuset.cpus.effective; v1 cpuset.effective_cpus, or
	// cpuset.cpus on kernels without it.
	CPUSet
	// Pids: pids.max.
	Pids
	// Controllers: v2 cgroup.controllers, which every v2 cgroup has
	// (absent, it is Missing).
	Controllers
)

// Status says what a file said.
type Status uint8

// The statuses of a file.
const (
	NotRead   Status = iota // not asked for, or not on this version
	Absent                  // the cgroup has no such file
	Unlimited               // "max", v1 -1 or the unlimited value
	Set                     // a value
	BadValue                // the content did not parse: Err says how
	ReadError               // the file could not be read: Err says why
	Missing                 // absent where every such cgroup has it: vanished
)

// Known reports whether the file gave a value, unlimited or set.
func (s Status) Known() bool { return s == Unlimited || s == Set }

// Failed reports whether the file could not be used: bad value, read error
// or missing.
func (s Status) Failed() bool { return s >= BadValue }

// Number is a file holding one number or "max".
type Number struct {
	Status Status
	Value  uint64 // when Set
	File   string // the file read, for messages
	Err    error  // when BadValue or ReadError
}

// Quota is a CPU bandwidth limit: Quota microseconds per Period.
type Quota struct {
	Status        Status
	Quota, Period uint64 // when Set
	File          string // the file read last (the period's, past a quota)
	Err           error
}

// CPUs is a cpu list.
type CPUs struct {
	Status Status
	Set    cgroup.CPUSet // when Set
	File   string
	Err    error
}

// Flag is a 0/1 file (v1 memory.use_hierarchy).
type Flag struct {
	Status Status // Set when read
	On     bool
	File   string
	Err    error
}

// Stat is the hierarchical limits of a v1 memory.stat.
type Stat struct {
	Status Status // Set when read and parsed
	Limits cgv1.MemoryStatLimits
	File   string
	Err    error
}

// Enabled is what v2 cgroup.controllers says of the controllers limits
// follow.
type Enabled struct {
	Status                    Status // Set when read
	Memory, CPU, CPUSet, Pids bool
	File                      string
	Err                       error
}

// Values is what one cgroup directory's own files say. A value not asked for
// has Status NotRead.
type Values struct {
	Version      cgroup.Version
	MemoryLimit  Number
	MemoryHigh   Number
	Swap         Number
	UseHierarchy Flag
	MemoryStat   Stat
	KmemUsage    Number
	KmemLimit    Number
	CPUQuota     Quota
	Weight       Number
	CPUSet       CPUs
	Pids         Number
	Controllers  Enabled
}

// Reader reads cgroup directories into one reused buffer. It is not safe for
// concurrent use.
type Reader struct {
	buf []byte
	// CPUSets, when set, keeps each distinct cpu list parsed, by content:
	// the cgroups of a node share a handful, and parsing one allocates.
	CPUSets map[string]cgroup.CPUSet
}

// NewReader returns a Reader whose buffer starts at size bytes.
func NewReader(size int) *Reader { return &Reader{buf: make([]byte, 0, size)} }

// Read reads the values in want from the cgroup directory d of the given
// version into v, parsing each file with the v1 or v2 parser for
// it. Values already in v that want does not name are kept, so a caller can
// read a directory in steps (v1 memory.stat first, then the limits only
// when it shows one). It is ReadLimits followed by ReadMore.
func (r *Reader) Read(d Dir, version cgroup.Version, want Want, v *Values) {
	r.ReadLimits(d, version, want, v)
	r.ReadMore(d, version, want, v)
}

// ReadLimits is Read for the values GOMEMLIMIT and GOMAXPROCS follow:
// MemoryLimit, MemoryHigh, UseHierarchy, MemoryStat, CPUQuota and
// Controllers. It leaves the others in want as they are: the setters call
// it alone, so that a program whose only reading is theirs (limits/auto)
// links none of ReadMore's parsers.
func (r *Reader) ReadLimits(d Dir, version cgroup.Version, want Want, v *Values) {
	v.Version = version
	if version == cgroup.V2 {
		if want&Controllers != 0 {
			v.Controllers = r.controllers(d)
		}
		if want&MemoryLimit != 0 {
			v.MemoryLimit = r.number(d, cgv2.MemoryMax, cgv2.ParseMax)
		}
		if want&MemoryHigh != 0 {
			v.MemoryHigh = r.number(d, cgv2.MemoryHigh, cgv2.ParseMax)
		}
		if want&CPUQuota != 0 {
			v.CPUQuota = r.cpuMax(d)
		}
		return
	}
	if want&MemoryStat != 0 {
		v.MemoryStat = r.memoryStat(d)
	}
	if want&MemoryLimit != 0 {
		v.MemoryLimit = r.number(d, cgv1.MemoryLimitInBytes, cgv1.ParseLimitInBytes)
		if v.MemoryLimit.Status == Absent {
			v.MemoryLimit.Status = Missing
		}
	}
	if want&UseHierarchy != 0 {
		v.UseHierarchy = r.useHierarchy(d)
	}
	if want&CPUQuota != 0 {
		v.CPUQuota = r.cfs(d)
	}
}

// ReadMore is Read for the values ReadLimits leaves: Swap, Kmem, Weight,
// CPUSet and Pids.
func (r *Reader) ReadMore(d Dir, version cgroup.Version, want Want, v *Values) {
	v.Version = version
	if version == cgroup.V2 {
		if want&Swap != 0 {
			v.Swap = r.number(d, cgv2.MemorySwapMax, cgv2.ParseMax)
		}
		if want&Weight != 0 {
			v.Weight = r.number(d, cgv2.CPUWeight, limited(cgv2.ParseCPUWeight))
		}
		if want&CPUSet != 0 {
			v.CPUSet = r.cpus(d, cgv2.CPUSetCPUsEffective, "")
		}
	} else {
		if want&Swap != 0 {
			v.Swap = r.number(d, cgv1.MemoryMemswLimitInBytes, cgv1.ParseLimitInBytes)
		}
		if want&Kmem != 0 {
			v.KmemUsage = r.number(d, cgv1.MemoryKmemUsageInBytes, limited(cgv1.ParseUint))
			v.KmemLimit = r.number(d, cgv1.MemoryKmemLimitInBytes, cgv1.ParseLimitInBytes)
		}
		if want&Weight != 0 {
			v.Weight = r.number(d, cgv1.CPUShares, limited(cgv1.ParseShares))
		}
		if want&CPUSet != 0 {
			v.CPUSet = r.cpus(d, cgv1.CPUSetEffectiveCPUs, cgv1.CPUSetCPUs)
		}
	}
	if want&Pids != 0 {
		v.Pids = r.number(d, cgv2.PidsMax, cgv2.ParseMax)
	}
}

// read reads one file and classifies a failure: absent, or a read error.
func (r *Reader) read(d Dir, file string) (data []byte, status Status, err error) {
	r.buf, err = d.ReadFile(file, r.buf[:0])
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, Absent, nil
	case err != nil:
		return nil, ReadError, err
	}
	return r.buf, Set, nil
}

// limited adapts a parser of plain numbers to the shape of ParseMax.
func limited(parse func([]byte) (uint64, error)) func([]byte) (uint64, bool, error) {
	return func(b []byte) (uint64, bool, error) {
		v, err := parse(b)
		return v, false, err
	}
}

// number reads a file holding a number, or "max" where parse allows it.
func (r *Reader) number(d Dir, file string, parse func([]byte) (uint64, bool, error)) Number {
	data, status, err := r.read(d, file)
	n := Number{Status: status, File: file, Err: err}
	if status != Set {
		return n
	}
	v, unlimited, err := parse(data)
	switch {
	case err != nil:
		n.Status, n.Err = BadValue, err
	case unlimited:
		n.Status = Unlimited
	default:
		n.Value = v
	}
	return n
}

// cpuMax reads v2 cpu.max: "$MAX $PERIOD", MAX a quota or "max".
func (r *Reader) cpuMax(d Dir) Quota {
	data, status, err := r.read(d, cgv2.CPUMax)
	q := Quota{Status: status, File: cgv2.CPUMax, Err: err}
	if status != Set {
		return q
	}
	quota, period, unlimited, err := cgv2.ParseCPUMax(data)
	switch {
	case err != nil:
		q.Status, q.Err = BadValue, err
	case unlimited:
		q.Status = Unlimited
	default:
		q.Quota, q.Period = quota, period
	}
	return q
}

// cfs reads v1 cpu.cfs_quota_us (-1 for none) and, for a quota,
// cpu.cfs_period_us. Both are absent without CONFIG_CFS_BANDWIDTH; the
// period alone missing beside a quota means the cgroup vanished.
func (r *Reader) cfs(d Dir) Quota {
	data, status, err := r.read(d, cgv1.CPUCFSQuotaUs)
	q := Quota{Status: status, File: cgv1.CPUCFSQuotaUs, Err: err}
	if status != Set {
		return q
	}
	quota, unlimited, err := cgv1.ParseCFSQuota(data)
	switch {
	case err != nil:
		q.Status, q.Err = BadValue, err
		return q
	case unlimited:
		q.Status = Unlimited
		return q
	}
	q.File = cgv1.CPUCFSPeriodUs
	if data, q.Status, q.Err = r.read(d, cgv1.CPUCFSPeriodUs); q.Status != Set {
		if q.Status == Absent {
			q.Status = Missing
		}
		return q
	}
	if q.Period, err = cgv1.ParseCFSPeriod(data); err != nil {
		q.Status, q.Err = BadValue, err
		return q
	}
	q.Quota = quota
	return q
}

// cpus reads a cpu list from file or, where it is absent, from fallback.
func (r *Reader) cpus(d Dir, file, fallback string) CPUs {
	data, status, err := r.read(d, file)
	if status == Absent && fallback != "" {
		file = fallback
		data, status, err = r.read(d, file)
	}
	c := CPUs{Status: status, File: file, Err: err}
	if status != Set {
		return c
	}
	if c.Set, err = r.parseCPUList(data); err != nil {
		c.Status, c.Err = BadValue, err
	}
	return c
}

// parseCPUList parses a cpu list, through the cache when there is one.
func (r *Reader) parseCPUList(data []byte) (cgroup.CPUSet, error) {
	if r.CPUSets == nil {
		return cgroup.ParseCPUList(data)
	}
	data = parse.TrimSpace(data)
	if set, ok := r.CPUSets[string(data)]; ok {
		return set, nil
	}
	set, err := cgroup.ParseCPUList(data)
	if err == nil {
		r.CPUSets[string(data)] = set
	}
	return set, err
}

// useHierarchy reads v1 memory.use_hierarchy.
func (r *Reader) useHierarchy(d Dir) Flag {
	data, status, err := r.read(d, cgv1.MemoryUseHierarchy)
	f := Flag{Status: status, File: cgv1.MemoryUseHierarchy, Err: err}
	if status == Set {
		if f.On, err = cgv1.ParseUseHierarchy(data); err != nil {
			f.Status, f.Err = BadValue, err
		}
	}
	return f
}

// memoryStat reads the hierarchical limits of a v1 memory.stat.
func (r *Reader) memoryStat(d Dir) Stat {
	data, status, err := r.read(d, cgv1.MemoryStat)
	s := Stat{Status: status, File: cgv1.MemoryStat, Err: err}
	if status == Set {
		if s.Limits, err = cgv1.ParseMemoryStat(data); err != nil {
			s.Status, s.Err = BadValue, err
		}
	}
	return s
}

// controllers reads v2 cgroup.controllers: the controllers the parent
// enabled for the cgroup.
func (r *Reader) controllers(d Dir) Enabled {
	data, status, err := r.read(d, cgv2.Controllers)
	e := Enabled{Status: status, File: cgv2.Controllers, Err: err}
	switch status {
	case Absent:
		e.Status = Missing
	case Set:
		e.Memory = cgv2.HasController(data, "memory")
		e.CPU = cgv2.HasController(data, "cpu")
		e.CPUSet = cgv2.HasController(data, "cpuset")
		e.Pids = cgv2.HasController(data, "pids")
	}
	return e
}
