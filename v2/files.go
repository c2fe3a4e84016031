package v2

// Interface file names in a cgroup v2 directory that package limits reads, as
// listed in Documentation/admin-guide/cgroup-v2.rst ("Core Interface Files"
// and the per-controller sections) and Documentation/accounting/psi.rst
// ("Cgroup2 interface").
const (
	// MemoryMax is the hard memory limit in bytes or "max"; above it the
	// cgroup's processes are reclaimed from and finally OOM-killed.
	MemoryMax = "memory.max"
	// MemoryHigh is the throttle limit in bytes or "max": above it the
	// cgroup is put under heavy reclaim pressure but not OOM-killed.
	MemoryHigh = "memory.high"
	// MemorySwapMax is the swap usage limit in bytes or "max".
	MemorySwapMax = "memory.swap.max"
	// CPUMax is the CPU bandwidth limit, "$MAX $PERIOD" in microseconds.
	CPUMax = "cpu.max"
	// CPUWeight is the proportional CPU weight, 1..10000, default 100.
	CPUWeight = "cpu.weight"
	// CPUSetCPUsEffective is the CPU list the cgroup may actually use, after
	// the parent's restrictions (the cpu list format, e.g. "0-3,8").
	CPUSetCPUsEffective = "cpuset.cpus.effective"
	// PidsMax is the limit on the number of tasks, a number or "max".
	PidsMax = "pids.max"
	// Controllers lists, space separated, the controllers available to the
	// cgroup (those its parent enabled in cgroup.subtree_control).
	Controllers = "cgroup.controllers"
	// MemoryCurrent is the memory in use by the cgroup and its
	// descendants, in bytes.
	MemoryCurrent = "memory.current"
	// MemoryPeak is the highest memory.current recorded since the cgroup
	// was created (Linux 5.19+), in bytes.
	MemoryPeak = "memory.peak"
	// MemorySwapCurrent is the swap in use by the cgroup and its
	// descendants, in bytes.
	MemorySwapCurrent = "memory.swap.current"
	// MemoryStat is the flat keyed breakdown of the cgroup's memory: anon,
	// file, kernel, sock, shmem, inactive_file and many more, in bytes.
	MemoryStat = "memory.stat"
	// MemoryEvents is the flat keyed count of memory events (high, max,
	// oom, oom_kill, ...) in the cgroup and its descendants;
	// memory.events.local has the same keys for the cgroup alone.
	MemoryEvents = "memory.events"
	// CPUStat is the flat keyed CPU usage (usage_usec, user_usec,
	// system_usec) and, with the cpu controller enabled, bandwidth
	// throttling (nr_periods, nr_throttled, throttled_usec) statistics.
	CPUStat = "cpu.stat"
	// PidsCurrent is the number of tasks in the cgroup and its
	// descendants.
	PidsCurrent = "pids.current"
	// MemoryPressure is the PSI (pressure stall information) of memory:
	// "some" and "full" lines of stall averages and total stall time.
	MemoryPressure = "memory.pressure"
	// CPUPressure is the PSI of CPU; its "full" line exists only since
	// Linux 5.13.
	CPUPressure = "cpu.pressure"
	// IOPressure is the PSI of block IO.
	IOPressure = "io.pressure"
)
