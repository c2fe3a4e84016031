package v1

import "github.com/truelimit/truelimit/internal/parse"

// Keys of memory.stat that carry the limits in force after every ancestor
// with use_hierarchy is taken into account
// (Documentation/admin-guide/cgroup-v1/memory.rst, "memory.stat file").
const (
	hierarchicalMemoryLimit = "hierarchical_memory_limit"
	hierarchicalMemswLimit  = "hierarchical_memsw_limit"
)

// MemoryStatLimits holds the fields of a v1 memory.stat that matter for
// limits. Values are raw bytes as printed; apply IsUnlimited to them. (The
// name MemoryStat is taken by the file name constant.)
type MemoryStatLimits struct {
	// HierarchicalMemoryLimit is the lowest memory.limit_in_bytes on the
	// path from this cgroup to the root, as the kernel computes it: it sees
	// ancestors a cgroup namespace or container mount hides.
	HierarchicalMemoryLimit uint64
	// HierarchicalMemswLimit is the same for memory.memsw.limit_in_bytes;
	// present only with swap accounting.
	HierarchicalMemswLimit uint64
	// HasHierarchicalMemoryLimit is true when the key was present.
	HasHierarchicalMemoryLimit bool
	// HasHierarchicalMemswLimit is true when the key was present.
	HasHierarchicalMemswLimit bool
}

// ParseMemoryStat extracts hierarchical_memory_limit and
// hierarchical_memsw_limit from a v1 memory.stat. Absent keys leave the Has
// fields false; other lines are not parsed. An error means one of these two
// lines is malformed. It does not allocate.
func ParseMemoryStat(b []byte) (MemoryStatLimits, error) {
	var s MemoryStatLimits
	var err error
	s.HierarchicalMemoryLimit, s.HasHierarchicalMemoryLimit, err = parse.FlatKeyed(b, hierarchicalMemoryLimit)
	if err != nil {
		return MemoryStatLimits{}, parse.Relabel(err, MemoryStat+" "+hierarchicalMemoryLimit)
	}
	s.HierarchicalMemswLimit, s.HasHierarchicalMemswLimit, err = parse.FlatKeyed(b, hierarchicalMemswLimit)
	if err != nil {
		return MemoryStatLimits{}, parse.Relabel(err, MemoryStat+" "+hierarchicalMemswLimit)
	}
	return s, nil
}

// memoryStatUsageKeys are the keys of memory.stat that break the
// hierarchy's usage down: the total_ variants, which include every
// descendant (Documentation/admin-guide/cgroup-v1/memory.rst, "memory.stat
// file"), in the order of MemoryStatUsage's fields: ParseMemoryStatUsage
// indexes them by position.
var memoryStatUsageKeys = [...]string{"total_rss", "total_cache", "total_shmem", "total_inactive_file"}

// MemoryStatUsage holds the fields of a v1 memory.stat that break down the
// usage of the cgroup and its descendants, in bytes as printed, each with
// whether its line was present.
type MemoryStatUsage struct {
	// TotalRSS is anonymous and swap cache memory (not tmpfs).
	TotalRSS uint64
	// TotalCache is the page cache, including tmpfs (shmem).
	TotalCache uint64
	// TotalShmem is the part of TotalCache that is tmpfs, shm segments and
	// shared anonymous mappings; old kernels lack the line.
	TotalShmem uint64
	// TotalInactiveFile is the part of TotalCache on the inactive LRU list,
	// the first to be reclaimed; usage minus it is the usual "working set".
	TotalInactiveFile uint64

	// HasTotalRSS and the others are true when that key's line was present.
	HasTotalRSS, HasTotalCache, HasTotalShmem, HasTotalInactiveFile bool
}

// ParseMemoryStatUsage extracts total_rss, total_cache, total_shmem and
// total_inactive_file from a v1 memory.stat. Absent keys leave the Has
// fields false; other lines are not parsed; the first line with a key wins.
// An error means one of these lines is malformed and names it, e.g.
// "memory.stat total_rss". It does not allocate.
func ParseMemoryStatUsage(b []byte) (MemoryStatUsage, error) {
	var v [len(memoryStatUsageKeys)]uint64
	found, err := parse.FlatKeyedAll(b, memoryStatUsageKeys[:], v[:])
	// On error found and v are all zero, so the result is the zero value.
	return MemoryStatUsage{
		TotalRSS: v[0], HasTotalRSS: has(found, 0),
		TotalCache: v[1], HasTotalCache: has(found, 1),
		TotalShmem: v[2], HasTotalShmem: has(found, 2),
		TotalInactiveFile: v[3], HasTotalInactiveFile: has(found, 3),
	}, parse.RelabelKey(err, MemoryStat)
}

// has reports whether bit i of a parse.FlatKeyedAll found mask is set. The
// flat keyed parsers index keys by position rather than by named constants
// because a package-level integer constant adds DWARF to every binary that
// links the package, used or not (scripts/importcost.sh).
func has(found uint64, i int) bool {
	return found&(1<<i) != 0
}

// oomKill is the key of memory.oom_control that counts OOM kills
// (Documentation/admin-guide/cgroup-v1/memory.rst, "OOM Control").
const oomKill = "oom_kill"

// ParseOOMControl extracts the oom_kill count, the processes the OOM killer
// killed in the cgroup, from memory.oom_control
// (Documentation/admin-guide/cgroup-v1/memory.rst, "OOM Control"). has is
// false when the line is absent, as before Linux 4.13; the oom_kill_disable
// and under_oom lines are not parsed. An error means the oom_kill line is
// malformed and names it as "memory.oom_control oom_kill". It does not
// allocate.
func ParseOOMControl(b []byte) (oomKills uint64, has bool, err error) {
	oomKills, has, err = parse.FlatKeyed(b, oomKill)
	if err != nil {
		return 0, false, parse.RelabelKey(err, MemoryOOMControl)
	}
	return oomKills, has, nil
}
