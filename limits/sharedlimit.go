package limits

import (
	"strconv"

	"github.com/truelimit/truelimit/limits/internal/own"
)

// sharedUsage is what GOMEMLIMIT's shared-limit policy reads: the own usage
// (v2 memory.current, v1 memory.usage_in_bytes) of the cgroup whose memory
// limit binds, then of the process's cgroup, when the limit is on an
// ancestor; both 0 otherwise, or when either cannot be read (a cgroup
// holding a process never uses 0 bytes). An alias of an array, not a type
// of its own, whose descriptor every program importing limits/auto would
// carry.
type sharedUsage = [2]uint64

// sharedBy says how much of limit, the memory limit of a level whose own
// usage is current, the other cgroups below it use (others: current minus
// the cgroup's own usage own, at least 0), and whether that is shared as the
// shared-limit diagnostic says: 10 × others ≥ limit.
func sharedBy(limit, current, own uint64) (others uint64, shared bool) {
	others = current - min(current, own)
	// 10 × others ≥ limit, in integers that cannot overflow: others is at
	// least a tenth of the limit, rounded up.
	tenth := limit / 10
	if limit%10 != 0 {
		tenth++
	}
	return others, others >= tenth
}

// readSharedUsage reads the usages of sharedUsage after the memory walk:
// the level that sets the effective memory limit, when it is a cgroup above
// the process's own (not v1's hierarchical_memory_limit for a hidden level,
// nor LXCFS), and the process's cgroup.
func (r *reader) readSharedUsage() sharedUsage {
	l, p := r.res.Memory.Limit, r.placed[memoryIdx]
	if l.State != Limited || !p.found || l.Source == p.loc.Path || l.Source == "" || l.Source[0] != '/' {
		return sharedUsage{}
	}
	r.at = p.loc
	r.at.Path = l.Source
	level := r.own.ReadCurrent(r, p.loc.Version)
	r.at = p.loc
	leaf := r.own.ReadCurrent(r, p.loc.Version)
	if level.Status != own.Set || leaf.Status != own.Set {
		return sharedUsage{}
	}
	return sharedUsage{level.Value, leaf.Value}
}

// sharedNote is what GOMEMLIMIT's Reason adds at the setter's start when
// the shared-limit policy is off and the shared-limit diagnostic's
// condition holds for the memory limit (u read by readSharedUsage): its
// level is an ancestor whose other cgroups use at least a tenth of it.
func sharedNote(limit Limit, u sharedUsage) string {
	if u[1] == 0 {
		return ""
	}
	others, shared := sharedBy(limit.Value, u[0], u[1])
	if !shared {
		return ""
	}
	return "; shared-limit: the other cgroups below " + limit.Source + " use " + strconv.FormatUint(others, 10) +
		" bytes of its limit " + strconv.FormatUint(limit.Value, 10) + " bytes, which GOMEMLIMIT does not leave out (" +
		memorySharedVar + "=1 or WithSharedMemoryLimit would)"
}

// sharedBudget is the shared-limit policy's budget: limit less what the
// other cgroups below its level use, moved from the budget in force only
// when it changes by at least the dead-band, max(16 MiB, 5% of limit), so
// that their noise does not move GOMEMLIMIT on every tick. It records the
// budget in force in m.
func (m *memPart) sharedBudget(limit uint64, u sharedUsage) (budget uint64, what string) {
	others, _ := sharedBy(limit, u[0], u[1])
	b := limit - min(limit, others)
	band := max(16<<20, limit/20)
	if in := m.sharedInForce; in != 0 && b < in+band && in < b+band {
		b = in
	}
	m.sharedInForce = b
	return b, "the memory limit " + strconv.FormatUint(limit, 10) + " bytes less the other cgroups' usage " +
		strconv.FormatUint(others, 10) + " bytes (shared-limit policy, dead-band " + strconv.FormatUint(band, 10) + " bytes), that is"
}
