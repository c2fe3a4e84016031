package v2

import "github.com/truelimit/truelimit/internal/parse"

// memoryStatKeys are the keys of memory.stat that break the cgroup's usage
// down (Documentation/admin-guide/cgroup-v2.rst, "memory.stat"), in the
// order of MemoryStatUsage's fields: ParseMemoryStatUsage indexes them by
// position.
var memoryStatKeys = [...]string{"anon", "file", "kernel", "sock", "shmem", "inactive_file"}

// MemoryStatUsage holds the fields of a v2 memory.stat that break down
// memory.current, in bytes as printed, each with whether its line was
// present. (The name MemoryStat is taken by the file name constant.)
type MemoryStatUsage struct {
	// Anon is memory in anonymous mappings (heap, stacks, private maps).
	Anon uint64
	// File is the page cache, including tmpfs and shared memory.
	File uint64
	// Kernel is all kernel memory charged to the cgroup: stacks, page
	// tables, slab, percpu and more. The line exists since Linux 5.18.
	Kernel uint64
	// Sock is memory used by network transmission buffers.
	Sock uint64
	// Shmem is the part of File that is tmpfs, shm segments and shared
	// anonymous mappings, which cannot be dropped without swap.
	Shmem uint64
	// InactiveFile is the part of File on the inactive LRU list, the first
	// to be reclaimed; memory.current minus it is the usual "working set".
	InactiveFile uint64

	// HasAnon and the others are true when that key's line was present.
	HasAnon, HasFile, HasKernel, HasSock, HasShmem, HasInactiveFile bool
}

// ParseMemoryStatUsage extracts anon, file, kernel, sock, shmem and
// inactive_file from a v2 memory.stat, a flat keyed file
// (Documentation/admin-guide/cgroup-v2.rst, "memory.stat"). Absent keys
// leave the Has fields false; other lines are not parsed; the first line
// with a key wins. An error means one of these lines is malformed and names
// it, e.g. "memory.stat anon". It does not allocate.
func ParseMemoryStatUsage(b []byte) (MemoryStatUsage, error) {
	var v [len(memoryStatKeys)]uint64
	found, err := parse.FlatKeyedAll(b, memoryStatKeys[:], v[:])
	// On error found and v are all zero, so the result is the zero value.
	return MemoryStatUsage{
		Anon: v[0], HasAnon: has(found, 0),
		File: v[1], HasFile: has(found, 1),
		Kernel: v[2], HasKernel: has(found, 2),
		Sock: v[3], HasSock: has(found, 3),
		Shmem: v[4], HasShmem: has(found, 4),
		InactiveFile: v[5], HasInactiveFile: has(found, 5),
	}, parse.RelabelKey(err, MemoryStat)
}

// memoryEventsKeys are the keys of memory.events
// (Documentation/admin-guide/cgroup-v2.rst, "memory.events") in the order of
// MemoryEventCounts' fields: ParseMemoryEvents indexes them by position.
var memoryEventsKeys = [...]string{"high", "max", "oom", "oom_kill"}

// MemoryEventCounts holds the counters of memory.events or
// memory.events.local that tell a cgroup ran into its limits, as printed,
// each with whether its line was present. (The name MemoryEvents is taken by
// the file name constant.)
type MemoryEventCounts struct {
	// High counts the times the cgroup was throttled and put under direct
	// reclaim for going over memory.high.
	High uint64
	// Max counts the times usage was about to go over memory.max; if direct
	// reclaim then fails, an OOM follows.
	Max uint64
	// OOM counts the times the cgroup reached its limit and allocations
	// started to fail.
	OOM uint64
	// OOMKill counts the processes killed by any kind of OOM killer.
	OOMKill uint64

	// HasHigh and the others are true when that key's line was present.
	HasHigh, HasMax, HasOOM, HasOOMKill bool
}

// ParseMemoryEvents extracts high, max, oom and oom_kill from memory.events,
// whose counts include the cgroup's descendants, or from
// memory.events.local, which has the same keys for the cgroup alone
// (Documentation/admin-guide/cgroup-v2.rst, "memory.events"). Absent keys
// leave the Has fields false; other lines, such as low and oom_group_kill,
// are not parsed; the first line with a key wins. An error means one of
// these lines is malformed and names it, e.g. "memory.events oom_kill",
// whichever of the two files was read. It does not allocate.
func ParseMemoryEvents(b []byte) (MemoryEventCounts, error) {
	var v [len(memoryEventsKeys)]uint64
	found, err := parse.FlatKeyedAll(b, memoryEventsKeys[:], v[:])
	// On error found and v are all zero, so the result is the zero value.
	return MemoryEventCounts{
		High: v[0], HasHigh: has(found, 0),
		Max: v[1], HasMax: has(found, 1),
		OOM: v[2], HasOOM: has(found, 2),
		OOMKill: v[3], HasOOMKill: has(found, 3),
	}, parse.RelabelKey(err, MemoryEvents)
}

// has reports whether bit i of a parse.FlatKeyedAll found mask is set. The
// flat keyed parsers index keys by position rather than by named constants
// because a package-level integer constant adds DWARF to every binary that
// links the package, used or not (scripts/importcost.sh).
func has(found uint64, i int) bool {
	return found&(1<<i) != 0
}
