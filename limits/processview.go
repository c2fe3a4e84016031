package limits

import (
	"strconv"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/limits/internal/effective"
	"github.com/truelimit/truelimit/limits/internal/hidden"
)

// diagnoseHidden adds limit-hidden-from-process for ForPID: it reads
// R/proc/<pid>/mountinfo, whose cgroup mount roots the kernel prints
// relative to the reader's cgroup namespace, finds the top cgroup the
// process can see in the memory, cpu and pids hierarchies, and names each
// binding limit set above it with what the process sees instead. Without
// that file (the process exited, EACCES) nothing is said.
func (r *reader) diagnoseHidden(pid int) {
	data, err := r.readProc("/proc/" + strconv.Itoa(pid) + "/mountinfo")
	if err != nil {
		return
	}
	mounts, err := cgroup.AppendMountInfo(nil, data)
	if err != nil {
		return
	}
	var clauses []hidden.Clause
	add := func(i int, what string, l Limit, sees func(*effective.Chain) string, applies string) {
		p := r.placed[i]
		if !p.found || l.State != Limited || l.Source == SourceHierarchicalMemoryLimit {
			return
		}
		top, ok := hidden.TopOf(mounts, r.members, controllerNames[i])
		// A v1 process reads hierarchical_memory_limit in its own
		// memory.stat, which counts every level above it.
		if !ok || top.Sees(l.Source) || (i == memoryIdx && p.loc.Version == 1 && top.Mounted) {
			return
		}
		clause := hidden.Clause{What: what, Controller: controllerNames[i], Top: top, Applies: applies}
		if top.Mounted {
			var c effective.Chain
			for j := range r.levels {
				if lv := &r.levels[j]; lv.controller == i && top.Sees(lv.loc.Path) {
					c.Add(&lv.values, lv.loc.Path, effective.Up)
				}
			}
			clause.Sees = sees(&c)
		}
		clauses = append(clauses, clause)
	}
	m := &r.res.Memory
	enabled := r.placed[memoryIdx].enabled
	add(memoryIdx, "memory limit", m.Limit, func(c *effective.Chain) string { return hidden.Bytes(c.Memory(enabled), "bytes") },
		hidden.Bytes(effective.Bytes{State: effective.Limited, Value: m.Limit.Value, Source: m.Limit.Source}, "bytes"))
	add(memoryIdx, "memory.high", m.High, func(c *effective.Chain) string { return hidden.Bytes(c.High(enabled), "bytes") },
		hidden.Bytes(effective.Bytes{State: effective.Limited, Value: m.High.Value, Source: m.High.Source}, "bytes"))
	q := r.res.CPU.Limit
	add(cpuIdx, "CPU limit", Limit{State: q.State, Source: q.Source},
		func(c *effective.Chain) string { return hidden.CPUs(c.CPU(r.placed[cpuIdx].enabled)) },
		hidden.CPUs(effective.Quota{State: effective.Limited, Quota: q.Quota, Period: q.Period, Source: q.Source}))
	add(pidsIdx, "pids limit", r.res.Pids, func(c *effective.Chain) string { return hidden.Bytes(c.Pids(r.placed[pidsIdx].enabled), "") },
		hidden.Bytes(effective.Bytes{State: effective.Limited, Value: r.res.Pids.Value, Source: r.res.Pids.Source}, ""))
	if len(clauses) > 0 {
		r.diag(CodeLimitHiddenFromProcess, hidden.Message(clauses))
	}
}
