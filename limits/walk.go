package limits

import (
	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/limits/internal/effective"
	"github.com/truelimit/truelimit/limits/internal/hidden"
	"github.com/truelimit/truelimit/limits/internal/own"
)

// walk reads the levels of controller i's hierarchy from the cgroup at from
// up to the top visible cgroup, the values in want at each, and adds them to
// c (Documentation/admin-guide/cgroup-v2.rst: a cgroup is bounded by every
// ancestor's limits). It stops where c shows that the levels above cannot
// change the answer: a v1 memory.use_hierarchy cut, or the cpuset found.
// The scope it returns says whether the values are effective or, when the
// walk ended at a top visible cgroup that may not be the host's root, only
// the tightest visible.
func (r *reader) walk(i int, from cgroup.Location, want own.Want, c *effective.Chain) Scope {
	for loc, ok := from, true; ok; loc, ok = loc.Parent() {
		lv := r.walkLevel(i, loc, want, loc.Path != r.placed[i].loc.Path, c)
		if (i == memoryIdx && c.MemoryCut()) || (i == cpusetIdx && c.CPUSetDecided()) {
			return ScopeEffective
		}
		if loc.IsTop() {
			return r.topScope(lv)
		}
	}
	return ScopeEffective
}

// walkLevel reads one level of the walk and adds it to c. Above the
// process's own cgroup a v1 memory walk reads memory.use_hierarchy first and
// the limits only when it lets them bind the process
// (Documentation/admin-guide/cgroup-v1/memory.rst, 6. Hierarchy support).
func (r *reader) walkLevel(i int, loc cgroup.Location, want own.Want, above bool, c *effective.Chain) *level {
	lv := r.addLevel(i, loc)
	if i == memoryIdx && loc.Version == 1 && above {
		r.read(loc, own.UseHierarchy, &lv.values)
		if !effective.BindsDescendants(lv.values.UseHierarchy) {
			want = 0
		}
	}
	r.read(loc, want, &lv.values)
	c.Add(&lv.values, loc.Path, effective.Up)
	return lv
}

// topScope says whether the top visible cgroup lv, where a walk ended, is
// provably the host's root cgroup (ScopeEffective) or may have hidden
// ancestors (ScopeVisible): its hierarchy is mounted from another cgroup,
// it has a file the root cgroup cannot have (hidden.RootLacks), or, on the live
// system, the process is in a cgroup namespace of its own.
func (r *reader) topScope(lv *level) Scope {
	if lv.loc.Mount.Root != "/" || hidden.RootLacks(&lv.values) != 0 || (r.root == "/" && hidden.ForeignCgroupNamespace() != "") {
		return ScopeVisible
	}
	return ScopeEffective
}

// walkMemory computes the memory limit and memory.high over the memory walk
// and, with swap, the swap (v2) or memory+swap (v1) limit. On v1 the leaf's
// memory.stat is read first: its hierarchical_memory_limit is the kernel's
// own minimum over exactly the levels that bind the leaf, hidden ones
// included, so while it shows no limit the levels are not read; otherwise
// it stands in for levels the reader cannot see where it is lower.
func (r *reader) walkMemory(swap bool) {
	p := r.placed[memoryIdx]
	if !p.found {
		return
	}
	want := own.MemoryLimit
	if swap {
		want |= own.Swap
	}
	var c effective.Chain
	m := &r.res.Memory
	if p.loc.Version == 2 {
		scope := r.walk(memoryIdx, p.loc, want|own.MemoryHigh, &c)
		m.Limit, m.High = limitOf(c.Memory(p.enabled), scope), limitOf(c.High(p.enabled), scope)
		if swap {
			m.Swap = limitOf(c.Swap(p.enabled), scope)
		}
		return
	}
	leaf := r.addLevel(memoryIdx, p.loc)
	r.read(p.loc, own.MemoryStat, &leaf.values)
	stat := leaf.values.MemoryStat
	unbound := effective.Unbound(stat, swap)
	if !unbound {
		r.read(p.loc, want, &leaf.values)
	}
	c.Add(&leaf.values, p.loc.Path, effective.Up)
	scope := ScopeEffective
	switch parent, ok := p.loc.Parent(); {
	case unbound:
	case ok:
		scope = r.walk(memoryIdx, parent, want, &c)
	default:
		scope = r.topScope(leaf)
	}
	// The kernel's hierarchical values count every level that binds the
	// leaf, hidden ones included.
	limitScope, memswScope := scope, scope
	if stat.Status == own.Set {
		if stat.Limits.HasHierarchicalMemoryLimit {
			limitScope = ScopeEffective
		}
		if stat.Limits.HasHierarchicalMemswLimit {
			memswScope = ScopeEffective
		}
	}
	m.Limit = limitOf(c.Memory(true), limitScope)
	if swap {
		m.MemSwap = limitOf(c.Swap(false), memswScope)
	}
}

// walkCPU computes the lowest CPU bandwidth limit over the cpu walk: v2
// cpu.max, v1 cpu.cfs_quota_us over cpu.cfs_period_us
// (Documentation/scheduler/sched-bwc.rst: a group's tasks are throttled by
// every ancestor's quota).
func (r *reader) walkCPU() {
	if p := r.placed[cpuIdx]; p.found {
		var c effective.Chain
		scope := r.walk(cpuIdx, p.loc, own.CPUQuota, &c)
		r.res.CPU.Limit = cpuLimitOf(c.CPU(p.enabled), scope)
	}
}

// walkCPUSet finds the effective cpuset of the nearest cgroup on the walk
// that has one: v2 cpuset.cpus.effective, v1 cpuset.effective_cpus or, on
// kernels without it, cpuset.cpus (Documentation/admin-guide/cgroup-v1/
// cpusets.rst).
func (r *reader) walkCPUSet() {
	if p := r.placed[cpusetIdx]; p.found {
		var c effective.Chain
		r.walk(cpusetIdx, p.loc, own.CPUSet, &c)
		set := c.CPUSet()
		r.res.CPU.Set = CPUSetLimit{State: State(set.State), CPUs: set.Set, Source: set.Source}
	}
}

// walkPids computes the lowest pids.max over the pids walk.
func (r *reader) walkPids() {
	if p := r.placed[pidsIdx]; p.found {
		var c effective.Chain
		scope := r.walk(pidsIdx, p.loc, own.Pids, &c)
		r.res.Pids = limitOf(c.Pids(p.enabled), scope)
	}
}

// readWeight reads the leaf's own relative CPU weight: v2 cpu.weight or v1
// cpu.shares. Weights are relative among siblings, so ancestors' do not
// combine into a limit.
func (r *reader) readWeight() {
	p := r.placed[cpuIdx]
	if !p.found {
		return
	}
	lv := r.addLevel(cpuIdx, p.loc)
	r.read(p.loc, own.Weight, &lv.values)
	if w := lv.values.Weight; w.Status == own.Set {
		r.res.CPU.Weight = Weight{State: Limited, Value: w.Value, Shares: p.loc.Version == 1, Source: p.loc.Path}
	}
}

func limitOf(b effective.Bytes, scope Scope) Limit {
	return Limit{State: State(b.State), Value: b.Value, Source: b.Source, Scope: scope}
}

func cpuLimitOf(q effective.Quota, scope Scope) CPULimit {
	return CPULimit{State: State(q.State), Quota: q.Quota, Period: q.Period, Source: q.Source, Scope: scope}
}
