package limits

import (
	"strconv"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/parse"
	"github.com/truelimit/truelimit/v1"
	"github.com/truelimit/truelimit/v2"
)

// memoryV2 walks the unified hierarchy from the leaf to the top visible
// cgroup, reading memory.max, memory.high and memory.swap.max at each level
// (Documentation/admin-guide/cgroup-v2.rst: a cgroup's usage is bounded by
// every ancestor's limits). memory.swap.max only with details.
func (r *reader) memoryV2(p placement) {
	var limit, high, swap minBytes
	for loc, ok := p.loc, true; ok; loc, ok = loc.Parent() {
		if r.offerMax(&limit, loc, v2.MemoryMax) && loc.IsTop() {
			r.event(event{kind: eventTopLimit, loc: loc, file: v2.MemoryMax})
		}
		r.offerMax(&high, loc, v2.MemoryHigh)
		if r.detailed() {
			r.offerMax(&swap, loc, v2.MemorySwapMax)
		}
	}
	m := &r.res.Memory
	m.Limit = limit.result(p.enabled)
	m.High = high.result(p.enabled)
	if r.detailed() {
		m.Swap = swap.result(p.enabled)
	}
}

// offerMax reads a v2 file holding "max" or a number and offers it to t.
// It reports whether the file exists.
func (r *reader) offerMax(t *minBytes, loc cgroup.Location, file string) bool {
	data, found, err := r.readCgroup(loc, file)
	if err != nil {
		t.broken = true
	}
	if !found {
		return false
	}
	v, unlimited, err := v2.ParseMax(data)
	if err != nil {
		r.event(event{kind: eventBadValue, loc: loc, file: file, err: err})
		t.broken = true
		return true
	}
	t.offer(v, unlimited, loc.Path)
	return true
}

// memoryV1 walks a v1 memory hierarchy. An ancestor's memory.limit_in_bytes
// counts only while memory.use_hierarchy reads 1 at every level from the
// leaf's parent up to it (Documentation/admin-guide/cgroup-v1/memory.rst
// section 6: without it a child is not charged to its parent). The leaf's
// memory.stat hierarchical_memory_limit then catches limits on ancestors the
// reader cannot see (a cgroup namespace or a mount rooted at the container).
//
// memory.stat is read first: its hierarchical_memory_limit is the kernel's
// own minimum over exactly the levels that bind the leaf, so when it (and,
// with details, hierarchical_memsw_limit) is unlimited no level's file can
// change the answer and the walk is skipped. The memsw limits only with
// details.
func (r *reader) memoryV1(p placement) {
	ms, statRead := r.memoryStat(p.loc)
	m := &r.res.Memory
	if statRead && ms.HasHierarchicalMemoryLimit && v1.IsUnlimited(ms.HierarchicalMemoryLimit) &&
		(!r.detailed() || !ms.HasHierarchicalMemswLimit || v1.IsUnlimited(ms.HierarchicalMemswLimit)) {
		m.Limit = Bytes{State: Unlimited}
		if r.detailed() && ms.HasHierarchicalMemswLimit {
			m.MemSwap = Bytes{State: Unlimited}
		}
		return
	}
	var limit, memsw minBytes
	walkedToTop := false
	for loc, ok := p.loc, true; ok; loc, ok = loc.Parent() {
		if loc.Path != p.loc.Path && !r.usesHierarchy(loc, &limit, &memsw) {
			break
		}
		value, limited := r.offerV1Limit(&limit, loc, v1.MemoryLimitInBytes, true)
		if r.detailed() {
			r.offerV1Limit(&memsw, loc, v1.MemoryMemswLimitInBytes, false)
		}
		if loc.IsTop() {
			walkedToTop = true
			if limited {
				r.event(event{kind: eventTopLimit, loc: loc, file: v1.MemoryLimitInBytes, value: value})
			}
		}
	}
	if statRead {
		if ms.HasHierarchicalMemoryLimit && applyHierarchical(&limit, ms.HierarchicalMemoryLimit, SourceHierarchicalMemoryLimit) && walkedToTop {
			r.event(event{kind: eventTopLimit, loc: p.loc, file: v1.MemoryStat, value: ms.HierarchicalMemoryLimit})
		}
		if ms.HasHierarchicalMemswLimit {
			applyHierarchical(&memsw, ms.HierarchicalMemswLimit, SourceHierarchicalMemswLimit)
		}
	}
	m.Limit = limit.result(true)
	if r.detailed() {
		m.MemSwap = memsw.result(false)
	}
}

// memoryStat reads the hierarchical limits from the leaf's memory.stat; ok
// is false when it cannot be read or parsed.
func (r *reader) memoryStat(leaf cgroup.Location) (ms v1.MemoryStatLimits, ok bool) {
	stat, found, err := r.readCgroup(leaf, v1.MemoryStat)
	if err != nil || !found {
		return ms, false
	}
	if ms, err = v1.ParseMemoryStat(stat); err != nil {
		r.event(event{kind: eventBadValue, loc: leaf, file: v1.MemoryStat, err: err})
		return ms, false
	}
	return ms, true
}

// usesHierarchy reads memory.use_hierarchy of an ancestor: true (or absent,
// as on kernels where it is always on) means its limit applies to its
// descendants. A read or parse failure makes the limits unknown.
func (r *reader) usesHierarchy(loc cgroup.Location, limits ...*minBytes) bool {
	data, found, err := r.readCgroup(loc, v1.MemoryUseHierarchy)
	if err == nil && !found {
		return true
	}
	if err == nil {
		var on bool
		if on, err = v1.ParseUseHierarchy(data); err == nil {
			return on
		}
		r.event(event{kind: eventBadValue, loc: loc, file: v1.MemoryUseHierarchy, err: err})
	}
	for _, t := range limits {
		t.broken = true
	}
	return false
}

// offerV1Limit reads a v1 *limit_in_bytes file and offers it to t. A required
// file that is missing means the cgroup vanished. It returns the value read
// and whether it was a limit.
func (r *reader) offerV1Limit(t *minBytes, loc cgroup.Location, file string, required bool) (uint64, bool) {
	data, found, err := r.readCgroup(loc, file)
	if err != nil {
		t.broken = true
		return 0, false
	}
	if !found {
		if required {
			r.event(event{kind: eventMissing, loc: loc, file: file})
			t.broken = true
		}
		return 0, false
	}
	v, unlimited, err := v1.ParseLimitInBytes(data)
	if err != nil {
		r.event(event{kind: eventBadValue, loc: loc, file: file, err: err})
		t.broken = true
		return 0, false
	}
	t.offer(v, unlimited, loc.Path)
	return v, !unlimited
}

// applyHierarchical lets a leaf's hierarchical_* value from memory.stat win
// when it is strictly lower than everything the walk saw, and reports whether
// it did.
func applyHierarchical(t *minBytes, value uint64, source string) bool {
	if t.broken || v1.IsUnlimited(value) || (t.limited && value >= t.value) {
		return false
	}
	t.seen, t.limited, t.value, t.source = true, true, value, source
	return true
}

// Memory cgroup IDs are 16 bits (include/linux/memcontrol.h MEM_CGROUP_ID_MAX);
// at 90% of them mkdir is close to failing with ENOSPC.
const (
	memcgIDMax       = 65535
	memcgIDThreshold = (memcgIDMax*9 + 9) / 10
)

// leakRisk raises memcg-leak-risk: on kernels before 4.15 a v1 memory cgroup
// with kernel-memory accounting active keeps its ID after rmdir until its slab
// objects are freed, so IDs run out (kubernetes/kubernetes#61937); on any
// kernel, /proc/cgroups shows how many memory cgroups exist.
func (r *reader) leakRisk(leaf cgroup.Location) {
	if data, err := r.readProc("/proc/sys/kernel/osrelease"); err == nil {
		release := string(parse.TrimSpace(data))
		r.res.Host.KernelRelease = release
		if major, minor, err := parse.KernelVersion(data); err == nil && (major < 4 || (major == 4 && minor < 15)) {
			if reason := r.kmemActive(leaf); reason != "" {
				r.diag(CodeMemcgLeakRisk, "kernel "+release+" is older than 4.15 and "+reason+
					": memory cgroup IDs leak until mkdir fails with ENOSPC near 65535")
			}
		}
	}
	data, err := r.readProc("/proc/cgroups")
	if err != nil {
		return
	}
	if e, found, err := v1.ParseProcCgroups(data, "memory"); err == nil && found && e.NumCgroups >= memcgIDThreshold {
		r.diag(CodeMemcgLeakRisk, strconv.FormatUint(e.NumCgroups, 10)+" memory cgroups exist (/proc/cgroups), at least 90% of the 65535 IDs the kernel has")
	}
}

// kmemActive says why kernel-memory accounting is active in the leaf, or "".
func (r *reader) kmemActive(leaf cgroup.Location) string {
	if data, found, err := r.readCgroup(leaf, v1.MemoryKmemUsageInBytes); err == nil && found {
		if v, err := v1.ParseUint(data); err == nil && v > 0 {
			return "kernel-memory accounting is active (memory.kmem.usage_in_bytes " + strconv.FormatUint(v, 10) + ")"
		}
	}
	if data, found, err := r.readCgroup(leaf, v1.MemoryKmemLimitInBytes); err == nil && found {
		if v, unlimited, err := v1.ParseLimitInBytes(data); err == nil && !unlimited {
			return "a kernel-memory limit is set (memory.kmem.limit_in_bytes " + strconv.FormatUint(v, 10) + ")"
		}
	}
	return ""
}
