package v1

// Interface file names in a cgroup v1 directory
// (Documentation/admin-guide/cgroup-v1/memory.rst, cpuacct.rst, cpusets.rst,
// Documentation/scheduler/sched-bwc.rst) that package limits reads.
const (
	// MemoryLimitInBytes is the hard memory limit of the cgroup, in bytes.
	MemoryLimitInBytes = "memory.limit_in_bytes"
	// MemoryUseHierarchy is 1 when the cgroup's limits also bind its
	// descendants (always 1 since Linux 5.11, which refuses to write 0).
	MemoryUseHierarchy = "memory.use_hierarchy"
	// MemoryMemswLimitInBytes is the limit on memory plus swap; it exists
	// only when swap accounting is on.
	MemoryMemswLimitInBytes = "memory.memsw.limit_in_bytes"
	// MemoryStat is the flat keyed statistics file; it carries
	// hierarchical_memory_limit and hierarchical_memsw_limit.
	MemoryStat = "memory.stat"
	// MemoryKmemUsageInBytes is the kernel memory charged to the cgroup.
	MemoryKmemUsageInBytes = "memory.kmem.usage_in_bytes"
	// MemoryKmemLimitInBytes is the kernel memory limit; setting it enabled
	// kmem accounting on old kernels. Since Linux 5.16 a limit can no longer
	// be set through it.
	MemoryKmemLimitInBytes = "memory.kmem.limit_in_bytes"
	// CPUCFSQuotaUs is the CFS bandwidth quota per period in microseconds,
	// -1 for none.
	CPUCFSQuotaUs = "cpu.cfs_quota_us"
	// CPUCFSPeriodUs is the CFS bandwidth period in microseconds.
	CPUCFSPeriodUs = "cpu.cfs_period_us"
	// CPUShares is the relative CPU weight, default 1024.
	CPUShares = "cpu.shares"
	// CPUSetEffectiveCPUs is the CPU list the cgroup may actually use.
	CPUSetEffectiveCPUs = "cpuset.effective_cpus"
	// CPUSetCPUs is the CPU list configured for the cgroup.
	CPUSetCPUs = "cpuset.cpus"
	// MemoryUsageInBytes is the memory charged to the cgroup and, with
	// use_hierarchy, its descendants, in bytes: a fuzzy value, cheaper to
	// read than exact (memory.stat's total_rss plus total_cache is exact).
	MemoryUsageInBytes = "memory.usage_in_bytes"
	// MemoryMaxUsageInBytes is the highest memory.usage_in_bytes recorded,
	// in bytes.
	MemoryMaxUsageInBytes = "memory.max_usage_in_bytes"
	// MemoryMemswUsageInBytes is the memory plus swap charged to the
	// cgroup, in bytes; it exists only when swap accounting is on.
	MemoryMemswUsageInBytes = "memory.memsw.usage_in_bytes"
	// MemoryFailcnt counts the times usage hit memory.limit_in_bytes.
	MemoryFailcnt = "memory.failcnt"
	// MemoryOOMControl is the flat keyed OOM state: oom_kill_disable,
	// under_oom and, since Linux 4.13, the oom_kill count.
	MemoryOOMControl = "memory.oom_control"
	// CPUStat is the flat keyed CFS bandwidth statistics file: nr_periods,
	// nr_throttled and throttled_time (and on newer kernels nr_bursts and
	// burst_time).
	CPUStat = "cpu.stat"
	// CPUAcctUsage is the CPU time used by the cgroup and its descendants,
	// in nanoseconds, from the cpuacct controller.
	CPUAcctUsage = "cpuacct.usage"
)
