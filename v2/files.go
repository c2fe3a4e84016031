package v2

// Interface file names in a cgroup v2 directory that package limits reads, as
// listed in Documentation/admin-guide/cgroup-v2.rst ("Core Interface Files"
// and the per-controller sections).
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
)
