package limits

import (
	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/v1"
	"github.com/truelimit/truelimit/v2"
)

// cpuLimit walks the cpu hierarchy for the lowest bandwidth limit: v2 cpu.max,
// v1 cpu.cfs_quota_us with cpu.cfs_period_us (Documentation/scheduler/
// sched-bwc.rst: a group's tasks are throttled by every ancestor's quota).
// It returns reasons to think ancestors are hidden.
func (r *reader) cpuLimit(p placement) (hidden []string) {
	var quota minQuota
	for loc, ok := p.loc, true; ok; loc, ok = loc.Parent() {
		var found, limited bool
		if loc.Version == 2 {
			found, limited = r.offerCPUMax(&quota, loc)
		} else {
			found, limited = r.offerCFS(&quota, loc)
		}
		if !loc.IsTop() || r.refreshing {
			continue
		}
		switch {
		case loc.Version == 2 && found:
			hidden = append(hidden, "the top visible cgroup "+loc.Path+" has cpu.max, which the root cgroup lacks")
		case loc.Version == 1 && limited:
			hidden = append(hidden, "the top visible cgroup "+loc.Path+" has a CFS quota, which the root cgroup cannot have")
		}
	}
	r.res.CPU.Limit = quota.result(p.enabled)
	return hidden
}

// offerCPUMax reads v2 cpu.max ("max 100000" or "50000 100000").
func (r *reader) offerCPUMax(t *minQuota, loc cgroup.Location) (found, limited bool) {
	data, found, err := r.readCgroup(loc, v2.CPUMax)
	if err != nil {
		t.broken = true
	}
	if !found {
		return false, false
	}
	q, period, unlimited, err := v2.ParseCPUMax(data)
	if err != nil {
		r.badValue(loc, v2.CPUMax, err)
		t.broken = true
		return true, false
	}
	t.offer(q, period, unlimited, loc.Path)
	return true, !unlimited
}

// offerCFS reads v1 cpu.cfs_quota_us (-1 means none) and, for a quota,
// cpu.cfs_period_us. Both are absent without CONFIG_CFS_BANDWIDTH.
func (r *reader) offerCFS(t *minQuota, loc cgroup.Location) (found, limited bool) {
	data, found, err := r.readCgroup(loc, v1.CPUCFSQuotaUs)
	if err != nil {
		t.broken = true
	}
	if !found {
		return false, false
	}
	q, unlimited, err := v1.ParseCFSQuota(data)
	if err != nil {
		r.badValue(loc, v1.CPUCFSQuotaUs, err)
		t.broken = true
		return true, false
	}
	if unlimited {
		t.offer(0, 0, true, loc.Path)
		return true, false
	}
	data, found, err = r.readCgroup(loc, v1.CPUCFSPeriodUs)
	if err != nil || !found {
		if err == nil {
			r.diag(CodeReadError, r.abs(loc.Dir()+"/"+v1.CPUCFSPeriodUs)+" is missing beside cpu.cfs_quota_us")
		}
		t.broken = true
		return true, false
	}
	period, err := v1.ParseCFSPeriod(data)
	if err != nil {
		r.badValue(loc, v1.CPUCFSPeriodUs, err)
		t.broken = true
		return true, false
	}
	t.offer(q, period, false, loc.Path)
	return true, true
}

// cpuWeight reads the leaf's own relative weight: v2 cpu.weight or v1
// cpu.shares. Weights are relative among siblings, so ancestors' do not
// combine into a limit.
func (r *reader) cpuWeight(p placement) {
	file := v2.CPUWeight
	if p.loc.Version == 1 {
		file = v1.CPUShares
	}
	data, found, err := r.readCgroup(p.loc, file)
	if err != nil || !found {
		return
	}
	var value uint64
	if p.loc.Version == 1 {
		value, err = v1.ParseShares(data)
	} else {
		value, err = v2.ParseCPUWeight(data)
	}
	if err != nil {
		r.badValue(p.loc, file, err)
		return
	}
	r.res.CPU.Weight = Weight{State: Limited, Value: value, Shares: p.loc.Version == 1, Source: p.loc.Path}
}

// cpuset finds the effective cpuset of the nearest cgroup on the walk that
// has one: v2 cpuset.cpus.effective, v1 cpuset.effective_cpus or, on kernels
// without it, cpuset.cpus (Documentation/admin-guide/cgroup-v1/cpusets.rst).
func (r *reader) cpuset(p placement) {
	for loc, ok := p.loc, true; ok; loc, ok = loc.Parent() {
		files := [2]string{v2.CPUSetCPUsEffective}
		if loc.Version == 1 {
			files = [2]string{v1.CPUSetEffectiveCPUs, v1.CPUSetCPUs}
		}
		for _, file := range files {
			if file == "" {
				continue
			}
			data, found, err := r.readCgroup(loc, file)
			if err != nil {
				return
			}
			if !found {
				continue
			}
			set, err := cgroup.ParseCPUList(data)
			if err != nil {
				r.badValue(loc, file, err)
				return
			}
			r.res.CPU.Set = CPUSet{State: Limited, CPUs: set, Source: loc.Path}
			return
		}
	}
}

// pids walks the pids hierarchy for the lowest pids.max.
func (r *reader) pids(p placement) {
	var limit minBytes
	for loc, ok := p.loc, true; ok; loc, ok = loc.Parent() {
		data, found, err := r.readCgroup(loc, v2.PidsMax)
		if err != nil {
			limit.broken = true
		}
		if !found {
			continue
		}
		v, unlimited, err := v2.ParseMax(data)
		if err != nil {
			r.badValue(loc, v2.PidsMax, err)
			limit.broken = true
			continue
		}
		limit.offer(v, unlimited, loc.Path)
	}
	b := limit.result(p.enabled)
	r.res.Pids = Count{State: b.State, Value: b.Bytes, Source: b.Source}
}
