package own

import (
	"errors"

	"github.com/truelimit/truelimit/cgroup"
	cgv1 "github.com/truelimit/truelimit/v1"
	cgv2 "github.com/truelimit/truelimit/v2"
)

// UsageWant is a set of usage values to read with ReadUsage. Usage has a
// reading of its own, apart from Read: only the reports and the scan read
// it, never the setters, so a program that imports only the setters does
// not link it.
type UsageWant uint16

// The usage values ReadUsage can read. Some exist on one version only; asked
// for on the other, they are not read.
const (
	// Current: v2 memory.current, v1 memory.usage_in_bytes.
	Current UsageWant = 1 << iota
	// Peak: v2 memory.peak (5.19+), v1 memory.max_usage_in_bytes.
	Peak
	// SwapUsage: v2 memory.swap.current (swap only), v1
	// memory.memsw.usage_in_bytes (memory plus swap).
	SwapUsage
	// StatUsage: the charge breakdown of memory.stat (v2 anon, file,
	// kernel, sock, shmem, inactive_file; v1 total_rss, total_cache,
	// total_shmem, total_inactive_file) and, on v1, the kernel memory of
	// memory.kmem.usage_in_bytes.
	StatUsage
	// Events: v2 memory.events; v1 memory.failcnt and memory.oom_control.
	Events
	// CPUCounters: cpu.stat (v2 usage and throttling, v1 throttling).
	CPUCounters
	// CPUAcct: v1 cpuacct.usage (nanoseconds), in the cpuacct hierarchy.
	CPUAcct
	// PidsCurrent: pids.current.
	PidsCurrent
	// Pressure: memory.pressure, cpu.pressure and io.pressure (cgroup2
	// directories only: asked for in a v1 cgroup they are not read).
	Pressure
)

// MemoryStatUsage is the breakdown of a memory.stat.
type MemoryStatUsage struct {
	Status Status
	V2     cgv2.MemoryStatUsage // on v2, when Set
	V1     cgv1.MemoryStatUsage // on v1, when Set
	File   string
	Err    error
}

// MemoryEvents is a v2 memory.events.
type MemoryEvents struct {
	Status Status
	Counts cgv2.MemoryEventCounts // when Set
	File   string
	Err    error
}

// OOMControl is the oom_kill counter of a v1 memory.oom_control (4.13+).
type OOMControl struct {
	Status  Status
	OOMKill uint64
	Has     bool // the kernel prints oom_kill
	File    string
	Err     error
}

// CPUStat is a cpu.stat.
type CPUStat struct {
	Status Status
	V2     cgv2.CPUStatCounters // on v2, when Set
	V1     cgv1.CPUStatCounters // on v1, when Set
	File   string
	Err    error
}

// PressureFile is one PSI file: memory.pressure, cpu.pressure or
// io.pressure. A kernel without PSI has none (Absent), and 4.20–6.0 with PSI
// disabled fail the read with EOPNOTSUPP, which counts as Absent too.
type PressureFile struct {
	Status   Status
	Pressure cgv2.Pressure // when Set
	File     string
	Err      error
}

// UsageValues is what one cgroup directory's usage files say. A value not
// asked for has Status NotRead.
type UsageValues struct {
	Version     cgroup.Version
	Current     Number
	Peak        Number
	SwapUsage   Number
	Stat        MemoryStatUsage
	KmemUsage   Number // v1 memory.kmem.usage_in_bytes, with StatUsage
	Events      MemoryEvents
	Failcnt     Number // v1 memory.failcnt, with Events
	OOMControl  OOMControl
	CPUStat     CPUStat
	CPUAcct     Number
	PidsCurrent Number
	MemoryPSI   PressureFile
	CPUPSI      PressureFile
	IOPSI       PressureFile
}

// ReadUsage reads the usage values in want from the cgroup directory d of
// the given version into v. As with Read, values already in v that want
// does not name are kept.
func (r *Reader) ReadUsage(d Dir, version cgroup.Version, want UsageWant, v *UsageValues) {
	v.Version = version
	v2 := version == cgroup.V2
	plain := limited(cgv1.ParseUint)
	file := func(v1, v2name string) string {
		if v2 {
			return v2name
		}
		return v1
	}
	if want&Current != 0 {
		v.Current = r.ReadCurrent(d, version)
	}
	if want&Peak != 0 {
		v.Peak = r.number(d, file(cgv1.MemoryMaxUsageInBytes, cgv2.MemoryPeak), plain)
	}
	if want&SwapUsage != 0 {
		v.SwapUsage = r.number(d, file(cgv1.MemoryMemswUsageInBytes, cgv2.MemorySwapCurrent), plain)
	}
	if want&StatUsage != 0 {
		v.Stat = r.memoryStatUsage(d, v2)
		if !v2 {
			v.KmemUsage = r.number(d, cgv1.MemoryKmemUsageInBytes, plain)
		}
	}
	if want&Events != 0 {
		if v2 {
			v.Events = r.memoryEvents(d)
		} else {
			v.Failcnt = r.number(d, cgv1.MemoryFailcnt, plain)
			v.OOMControl = r.oomControl(d)
		}
	}
	if want&CPUCounters != 0 {
		v.CPUStat = r.cpuStat(d, v2)
	}
	if want&CPUAcct != 0 && !v2 {
		v.CPUAcct = r.number(d, cgv1.CPUAcctUsage, plain)
	}
	if want&PidsCurrent != 0 {
		v.PidsCurrent = r.number(d, cgv2.PidsCurrent, plain)
	}
	if want&Pressure != 0 && v2 {
		v.MemoryPSI = r.pressure(d, cgv2.MemoryPressure)
		v.CPUPSI = r.pressure(d, cgv2.CPUPressure)
		v.IOPSI = r.pressure(d, cgv2.IOPressure)
	}
}

// ReadCurrent reads the memory usage of the cgroup directory d, ReadUsage's
// Current: v2 memory.current, v1 memory.usage_in_bytes. The setters read it
// alone, for the shared-limit policy.
func (r *Reader) ReadCurrent(d Dir, version cgroup.Version) Number {
	file := cgv1.MemoryUsageInBytes
	if version == cgroup.V2 {
		file = cgv2.MemoryCurrent
	}
	return r.number(d, file, limited(cgv1.ParseUint))
}

func (r *Reader) memoryStatUsage(d Dir, v2 bool) MemoryStatUsage {
	data, status, err := r.read(d, cgv2.MemoryStat)
	s := MemoryStatUsage{Status: status, File: cgv2.MemoryStat, Err: err}
	if status != Set {
		return s
	}
	if v2 {
		s.V2, err = cgv2.ParseMemoryStatUsage(data)
	} else {
		s.V1, err = cgv1.ParseMemoryStatUsage(data)
	}
	if err != nil {
		s.Status, s.Err = BadValue, err
	}
	return s
}

func (r *Reader) memoryEvents(d Dir) MemoryEvents {
	data, status, err := r.read(d, cgv2.MemoryEvents)
	e := MemoryEvents{Status: status, File: cgv2.MemoryEvents, Err: err}
	if status == Set {
		if e.Counts, err = cgv2.ParseMemoryEvents(data); err != nil {
			e.Status, e.Err = BadValue, err
		}
	}
	return e
}

func (r *Reader) oomControl(d Dir) OOMControl {
	data, status, err := r.read(d, cgv1.MemoryOOMControl)
	o := OOMControl{Status: status, File: cgv1.MemoryOOMControl, Err: err}
	if status == Set {
		if o.OOMKill, o.Has, err = cgv1.ParseOOMControl(data); err != nil {
			o.Status, o.Err = BadValue, err
		}
	}
	return o
}

func (r *Reader) cpuStat(d Dir, v2 bool) CPUStat {
	data, status, err := r.read(d, cgv2.CPUStat)
	c := CPUStat{Status: status, File: cgv2.CPUStat, Err: err}
	if status != Set {
		return c
	}
	if v2 {
		c.V2, err = cgv2.ParseCPUStat(data)
	} else {
		c.V1, err = cgv1.ParseCPUStat(data)
	}
	if err != nil {
		c.Status, c.Err = BadValue, err
	}
	return c
}

func (r *Reader) pressure(d Dir, file string) PressureFile {
	data, status, err := r.read(d, file)
	if status == ReadError && errors.Is(err, errors.ErrUnsupported) {
		status, err = Absent, nil
	}
	p := PressureFile{Status: status, File: file, Err: err}
	if status == Set {
		if p.Pressure, err = cgv2.ParsePressure(data); err != nil {
			p.Status, p.Err = BadValue, err
		}
	}
	return p
}

// Failed reports whether a usage file of v held a bad value or could not be
// read: whether Problems has anything to report.
func (v *UsageValues) Failed() bool {
	failed := false
	v.each(func(_ string, s Status, _ error) { failed = failed || s.Failed() })
	return failed
}

// Problems is Values.Problems for the usage files.
func (v *UsageValues) Problems(dir string, report func(code, msg string)) {
	v.each(func(file string, s Status, err error) { problem(dir, file, s, err, report) })
}

// each calls f with every usage file's name, status and error.
func (v *UsageValues) each(f func(file string, s Status, err error)) {
	for _, n := range [...]*Number{&v.Current, &v.Peak, &v.SwapUsage, &v.KmemUsage, &v.Failcnt, &v.CPUAcct, &v.PidsCurrent} {
		f(n.File, n.Status, n.Err)
	}
	f(v.Stat.File, v.Stat.Status, v.Stat.Err)
	f(v.Events.File, v.Events.Status, v.Events.Err)
	f(v.OOMControl.File, v.OOMControl.Status, v.OOMControl.Err)
	f(v.CPUStat.File, v.CPUStat.Status, v.CPUStat.Err)
	for _, p := range [...]*PressureFile{&v.MemoryPSI, &v.CPUPSI, &v.IOPSI} {
		f(p.File, p.Status, p.Err)
	}
}
