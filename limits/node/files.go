package node

import (
	"errors"
	"io/fs"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/parse"
	"github.com/truelimit/truelimit/limits"
	v1 "github.com/truelimit/truelimit/v1"
	v2 "github.com/truelimit/truelimit/v2"
)

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// abs returns the path of one of the current directory's files, for messages.
func (s *scanner) abs(file string) string { return string(s.absDir) + "/" + file }

// read reads one interface file of the cgroup at d. A missing file returns
// found false and no error; any other failure adds a read-error diagnostic
// and returns the error.
func (s *scanner) read(d dir, file string) (data []byte, found bool, err error) {
	if traceRead != nil {
		s.trace = append(append(append(append(s.trace[:0], s.absDir...), '/'), file...), 0)
		traceRead(s.trace)
	}
	s.buf, err = d.readFile(file, s.buf, maxInterfaceFile)
	if isNotExist(err) {
		return nil, false, nil
	}
	if err != nil {
		s.diag(limits.CodeReadError, "cannot read "+s.abs(file)+": "+err.Error())
		return nil, false, err
	}
	return s.buf, true, nil
}

// badValue adds a bad-value diagnostic for a file that did not parse.
func (s *scanner) badValue(file string, err error) {
	s.diag(limits.CodeBadValue, s.abs(file)+": "+err.Error()+"; the value it feeds is unknown")
}

// readMax reads a v2 file holding "max" or a number: memory.max, memory.high
// or pids.max (also the v1 pids.max). present says the cgroup has the file.
func (s *scanner) readMax(d dir, file, path string) (own limits.Bytes, present bool) {
	data, found, err := s.read(d, file)
	if err != nil {
		return limits.Bytes{}, false
	}
	if !found {
		return limits.Bytes{State: limits.Unlimited}, false
	}
	v, unlimited, err := v2.ParseMax(data)
	switch {
	case err != nil:
		s.badValue(file, err)
		return limits.Bytes{}, true
	case unlimited:
		return limits.Bytes{State: limits.Unlimited}, true
	}
	return limits.Bytes{State: limits.Limited, Bytes: v, Source: path}, true
}

// readV1Limit reads v1 memory.limit_in_bytes. Every memory cgroup has it, so
// a missing one means the cgroup vanished: unknown, as for limits.ForCgroup.
func (s *scanner) readV1Limit(d dir, path string) limits.Bytes {
	data, found, err := s.read(d, v1.MemoryLimitInBytes)
	if err != nil {
		return limits.Bytes{}
	}
	if !found {
		s.diag(limits.CodeReadError, s.abs(v1.MemoryLimitInBytes)+" is missing: the cgroup has vanished or is not a memory cgroup")
		return limits.Bytes{}
	}
	v, unlimited, err := v1.ParseLimitInBytes(data)
	switch {
	case err != nil:
		s.badValue(v1.MemoryLimitInBytes, err)
		return limits.Bytes{}
	case unlimited:
		return limits.Bytes{State: limits.Unlimited}
	}
	return limits.Bytes{State: limits.Limited, Bytes: v, Source: path}
}

// readHierarchical reads memory.stat hierarchical_memory_limit of the top
// visible v1 memory cgroup: the kernel's minimum over it and all its
// ancestors, including those a cgroup namespace or a container's mount hides
// (Documentation/admin-guide/cgroup-v1/memory.rst, 5.2 stat file). What
// hides them hides them from every cgroup below, so the top's value is the
// one each of them would show, wherever it is lower than what is visible.
func (s *scanner) readHierarchical(d dir) {
	data, found, err := s.read(d, v1.MemoryStat)
	if err != nil || !found {
		return
	}
	ms, err := v1.ParseMemoryStat(data)
	if err != nil {
		s.badValue(v1.MemoryStat, err)
		return
	}
	if ms.HasHierarchicalMemoryLimit {
		s.hierarchical = ms.HierarchicalMemoryLimit
	}
}

// passMemoryDown reads v1 memory.use_hierarchy of a cgroup with children:
// its limit and those above it bind the children only when it reads 1, or
// is absent as on kernels where it is always on
// (Documentation/admin-guide/cgroup-v1/memory.rst, 6. Hierarchy support).
// An unreadable or bad one makes the children's memory limit unknown.
func (s *scanner) passMemoryDown(d dir, below *chain) {
	data, found, err := s.read(d, v1.MemoryUseHierarchy)
	switch {
	case err != nil:
		below.memory, below.reachesTop = chainBytes{broken: true}, false
		return
	case !found:
		return
	}
	on, err := v1.ParseUseHierarchy(data)
	if err != nil {
		s.badValue(v1.MemoryUseHierarchy, err)
		below.memory, below.reachesTop = chainBytes{broken: true}, false
		return
	}
	if !on {
		below.memory, below.reachesTop = chainBytes{}, false
	}
}

// readCPUMax reads v2 cpu.max ("max 100000" or "50000 100000",
// Documentation/admin-guide/cgroup-v2.rst).
func (s *scanner) readCPUMax(d dir, path string) (own limits.CPULimit, present bool) {
	data, found, err := s.read(d, v2.CPUMax)
	if err != nil {
		return limits.CPULimit{}, false
	}
	if !found {
		return limits.CPULimit{State: limits.Unlimited}, false
	}
	quota, period, unlimited, err := v2.ParseCPUMax(data)
	switch {
	case err != nil:
		s.badValue(v2.CPUMax, err)
		return limits.CPULimit{}, true
	case unlimited:
		return limits.CPULimit{State: limits.Unlimited}, true
	}
	return limits.CPULimit{State: limits.Limited, Quota: quota, Period: period, Source: path}, true
}

// readCFS reads v1 cpu.cfs_quota_us (-1 means none) and, for a quota,
// cpu.cfs_period_us (Documentation/scheduler/sched-bwc.rst). Both are
// absent without CONFIG_CFS_BANDWIDTH.
func (s *scanner) readCFS(d dir, path string) (own limits.CPULimit, present bool) {
	data, found, err := s.read(d, v1.CPUCFSQuotaUs)
	if err != nil {
		return limits.CPULimit{}, false
	}
	if !found {
		return limits.CPULimit{State: limits.Unlimited}, false
	}
	quota, unlimited, err := v1.ParseCFSQuota(data)
	switch {
	case err != nil:
		s.badValue(v1.CPUCFSQuotaUs, err)
		return limits.CPULimit{}, true
	case unlimited:
		return limits.CPULimit{State: limits.Unlimited}, true
	}
	data, found, err = s.read(d, v1.CPUCFSPeriodUs)
	if err != nil || !found {
		if err == nil {
			s.diag(limits.CodeReadError, s.abs(v1.CPUCFSPeriodUs)+" is missing beside cpu.cfs_quota_us")
		}
		return limits.CPULimit{}, true
	}
	period, err := v1.ParseCFSPeriod(data)
	if err != nil {
		s.badValue(v1.CPUCFSPeriodUs, err)
		return limits.CPULimit{}, true
	}
	return limits.CPULimit{State: limits.Limited, Quota: quota, Period: period, Source: path}, true
}

// readCPUSet reads the cgroup's effective cpuset: v2 cpuset.cpus.effective,
// v1 cpuset.effective_cpus or, on kernels without it, cpuset.cpus
// (Documentation/admin-guide/cgroup-v1/cpusets.rst). A cgroup without one
// uses its parent's. present says a file was found or could not be read.
func (s *scanner) readCPUSet(d dir, path string, v1Hierarchy bool) (own limits.CPUSet, present bool) {
	files := [2]string{v2.CPUSetCPUsEffective}
	if v1Hierarchy {
		files = [2]string{v1.CPUSetEffectiveCPUs, v1.CPUSetCPUs}
	}
	for _, file := range files {
		if file == "" {
			continue
		}
		data, found, err := s.read(d, file)
		if err != nil {
			return limits.CPUSet{}, true
		}
		if !found {
			continue
		}
		set, err := s.parseCPUSet(data)
		if err != nil {
			s.badValue(file, err)
			return limits.CPUSet{}, true
		}
		return limits.CPUSet{State: limits.Limited, CPUs: set, Source: path}, true
	}
	return limits.CPUSet{State: limits.Unlimited}, false
}

// parseCPUSet parses a cpu list, once per distinct content.
func (s *scanner) parseCPUSet(data []byte) (cgroup.CPUSet, error) {
	data = parse.TrimSpace(data)
	if set, ok := s.cpusets[string(data)]; ok {
		return set, nil
	}
	set, err := cgroup.ParseCPUList(data)
	if err != nil {
		return set, err
	}
	s.cpusets[string(data)] = set
	return set, nil
}

// hasController reports whether cgroup.controllers lists the controller
// (Documentation/admin-guide/cgroup-v2.rst: the controllers the parent
// enabled for this cgroup).
func hasController(data []byte, c controllers) bool {
	return v2.HasController(data, c.String())
}
