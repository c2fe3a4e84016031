package limits

import (
	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/v1"
	"github.com/truelimit/truelimit/v2"
)

// cpuLimit walks the cpu hierarchy for the lowest bandwidth limit: v2 cpu.max,
// v1 cpu.cfs_quota_us with cpu.cfs_period_us (Documentation/scheduler/
// sched-bwc.rst: a group's tasks are throttled by every ancestor's quota).
func (r *reader) cpuLimit(p placement) {
	var quota minQuota
	for loc, ok := p.loc, true; ok; loc, ok = loc.Parent() {
		if loc.Version == 2 {
			if r.offerCPUMax(&quota, loc) && loc.IsTop() {
				r.event(event{kind: eventTopLimit, loc: loc, file: v2.CPUMax})
			}
		} else if r.offerCFS(&quota, loc) && loc.IsTop() {
			r.event(event{kind: eventTopLimit, loc: loc, file: v1.CPUCFSQuotaUs})
		}
	}
	r.res.CPU.Limit = quota.result(p.enabled)
}

// offerCPUMax reads v2 cpu.max ("max 100000" or "50000 100000") and reports
// whether the file exists.
func (r *reader) offerCPUMax(t *minQuota, loc cgroup.Location) (found bool) {
	data, found, err := r.readCgroup(loc, v2.CPUMax)
	if err != nil {
		t.broken = true
	}
	if !found {
		return false
	}
	q, period, unlimited, err := v2.ParseCPUMax(data)
	if err != nil {
		r.event(event{kind: eventBadValue, loc: loc, file: v2.CPUMax, err: err})
		t.broken = true
		return true
	}
	t.offer(q, period, unlimited, loc.Path)
	return true
}

// offerCFS reads v1 cpu.cfs_quota_us (-1 means none) and, for a quota,
// cpu.cfs_period_us. Both are absent without CONFIG_CFS_BANDWIDTH. It reports
// whether a quota was read.
func (r *reader) offerCFS(t *minQuota, loc cgroup.Location) (limited bool) {
	data, found, err := r.readCgroup(loc, v1.CPUCFSQuotaUs)
	if err != nil {
		t.broken = true
	}
	if !found {
		return false
	}
	q, unlimited, err := v1.ParseCFSQuota(data)
	if err != nil {
		r.event(event{kind: eventBadValue, loc: loc, file: v1.CPUCFSQuotaUs, err: err})
		t.broken = true
		return false
	}
	if unlimited {
		t.offer(0, 0, true, loc.Path)
		return false
	}
	data, found, err = r.readCgroup(loc, v1.CPUCFSPeriodUs)
	if err != nil || !found {
		if err == nil {
			r.event(event{kind: eventMissing, loc: loc, file: v1.CPUCFSPeriodUs})
		}
		t.broken = true
		return false
	}
	period, err := v1.ParseCFSPeriod(data)
	if err != nil {
		r.event(event{kind: eventBadValue, loc: loc, file: v1.CPUCFSPeriodUs, err: err})
		t.broken = true
		return false
	}
	t.offer(q, period, false, loc.Path)
	return true
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
