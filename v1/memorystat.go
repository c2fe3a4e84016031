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
