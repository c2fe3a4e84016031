package probe

// Document is the JSON shape of a limits.Result as `cgroupinfo -json` (package
// report) writes it, docs/SEMANTICS.md's contract, decoded for the checks of
// the QEMU scenarios: they compare whole documents built from these types.
type Document struct {
	Mode        *string         `json:"mode"`
	Memory      MemoryDoc       `json:"memory"`
	CPU         CPUDoc          `json:"cpu"`
	Pids        PidsDoc         `json:"pids"`
	Host        HostDoc         `json:"host"`
	Cgroups     CgroupsDoc      `json:"cgroups"`
	Diagnostics []DiagnosticDoc `json:"diagnostics"`
	Walk        []ReadingDoc    `json:"walk"`
	// Usage is null unless the probe ran with -usage.
	Usage *UsageDoc `json:"usage"`
}

// MemoryDoc is the "memory" object. Each Scope is "effective" or
// "visible" (only the tightest limit visible from the process's top
// cgroup), null when the value is unknown.
type MemoryDoc struct {
	State       string  `json:"state"`
	LimitBytes  *uint64 `json:"limit_bytes"`
	Source      *string `json:"source"`
	Scope       *string `json:"scope"`
	HighBytes   *uint64 `json:"high_bytes"`
	HighSource  *string `json:"high_source"`
	HighScope   *string `json:"high_scope"`
	SwapBytes   *uint64 `json:"swap_bytes"`
	SwapSource  *string `json:"swap_source"`
	SwapScope   *string `json:"swap_scope"`
	MemswBytes  *uint64 `json:"memsw_bytes"`
	MemswSource *string `json:"memsw_source"`
	MemswScope  *string `json:"memsw_scope"`
}

// CPUDoc is the "cpu" object. Limit is quota/period in CPUs; Scope is the
// limit's, as in MemoryDoc.
type CPUDoc struct {
	State        string   `json:"state"`
	Limit        *float64 `json:"limit"`
	Source       *string  `json:"source"`
	Scope        *string  `json:"scope"`
	QuotaUs      *uint64  `json:"quota_us"`
	PeriodUs     *uint64  `json:"period_us"`
	CPUSetCPUs   *int     `json:"cpuset_cpus"`
	CPUSet       *string  `json:"cpuset"`
	CPUSetSource *string  `json:"cpuset_source"`
	Weight       *uint64  `json:"weight"`
	Shares       *uint64  `json:"shares"`
	WeightSource *string  `json:"weight_source"`
}

// PidsDoc is the "pids" object; Scope is the limit's, as in MemoryDoc.
type PidsDoc struct {
	Limit  *uint64 `json:"limit"`
	Source *string `json:"source"`
	Scope  *string `json:"scope"`
}

// HostDoc is the "host" object: totals, never limits.
type HostDoc struct {
	MemTotalBytes *uint64 `json:"mem_total_bytes"`
	OnlineCPUs    *int    `json:"online_cpus"`
	AffinityCPUs  *int    `json:"affinity_cpus"`
	Kernel        *string `json:"kernel"`
}

// CgroupsDoc says where each controller's cgroup was found; null when not located.
type CgroupsDoc struct {
	Memory *PlacementDoc `json:"memory"`
	CPU    *PlacementDoc `json:"cpu"`
	CPUSet *PlacementDoc `json:"cpuset"`
	Pids   *PlacementDoc `json:"pids"`
}

// PlacementDoc is one controller's cgroup.
type PlacementDoc struct {
	Version int    `json:"version"`
	Path    string `json:"path"`
	Dir     string `json:"dir"`
}

// DiagnosticDoc is one diagnostic.
type DiagnosticDoc struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ReadingDoc is one file read on the walk.
type ReadingDoc struct {
	Controller string `json:"controller"`
	Cgroup     string `json:"cgroup"`
	File       string `json:"file"`
	Value      string `json:"value"`
}

// UsageDoc is the "usage" object (docs/SEMANTICS.md, Usage): what
// DetectUsage and its kin read. Every key is here, so that the probe's
// strict decoding fails on a key the checks would not see.
type UsageDoc struct {
	Memory   MemoryUsageDoc `json:"memory"`
	CPU      CPUUsageDoc    `json:"cpu"`
	Pids     PidsUsageDoc   `json:"pids"`
	Pressure PressuresDoc   `json:"pressure"`
}

// MemoryUsageDoc is the usage's "memory" object: the leaf's usage, the
// headroom at the level that binds, the leaf's memory events and those of
// the level that sets the effective limit.
type MemoryUsageDoc struct {
	CurrentBytes       *uint64         `json:"current_bytes"`
	WorkingSetBytes    *uint64         `json:"working_set_bytes"`
	PeakBytes          *uint64         `json:"peak_bytes"`
	SwapBytes          *uint64         `json:"swap_bytes"`
	AnonBytes          *uint64         `json:"anon_bytes"`
	FileBytes          *uint64         `json:"file_bytes"`
	KernelBytes        *uint64         `json:"kernel_bytes"`
	SockBytes          *uint64         `json:"sock_bytes"`
	ShmemBytes         *uint64         `json:"shmem_bytes"`
	InactiveFileBytes  *uint64         `json:"inactive_file_bytes"`
	HeadroomBytes      *uint64         `json:"headroom_bytes"`
	HeadroomSource     *string         `json:"headroom_source"`
	HighHeadroomBytes  *uint64         `json:"high_headroom_bytes"`
	HighHeadroomSource *string         `json:"high_headroom_source"`
	Events             EventsDoc       `json:"events"`
	LimitEvents        *LimitEventsDoc `json:"limit_events"`
}

// EventsDoc holds the counters of a memory.events.
type EventsDoc struct {
	High    *uint64 `json:"high"`
	Max     *uint64 `json:"max"`
	OOM     *uint64 `json:"oom"`
	OOMKill *uint64 `json:"oom_kill"`
}

// LimitEventsDoc is the memory.events of the level that sets the effective
// memory limit: its path, then the four counters at the same level of the
// object.
type LimitEventsDoc struct {
	Source string `json:"source"`
	EventsDoc
}

// CPUUsageDoc is the usage's "cpu" object; Throttling is null when the CPU
// is not limited.
type CPUUsageDoc struct {
	UsageUs    *uint64        `json:"usage_us"`
	Throttling *ThrottlingDoc `json:"throttling"`
}

// ThrottlingDoc is the cpu.stat throttling of the level that sets the
// effective CPU limit.
type ThrottlingDoc struct {
	Source           string  `json:"source"`
	Periods          *uint64 `json:"periods"`
	ThrottledPeriods *uint64 `json:"throttled_periods"`
	ThrottledUs      *uint64 `json:"throttled_us"`
}

// PidsUsageDoc is the usage's "pids" object.
type PidsUsageDoc struct {
	Current *uint64 `json:"current"`
}

// PressuresDoc holds the cgroup's PSI files, each null when absent.
type PressuresDoc struct {
	Memory *PressureDoc `json:"memory"`
	CPU    *PressureDoc `json:"cpu"`
	IO     *PressureDoc `json:"io"`
}

// PressureDoc is one PSI file; Full is null where the kernel prints no
// full line.
type PressureDoc struct {
	Some PressureLineDoc  `json:"some"`
	Full *PressureLineDoc `json:"full"`
}

// PressureLineDoc is one line of a PSI file: averages in percent, the total
// stall time in microseconds.
type PressureLineDoc struct {
	Avg10   float64 `json:"avg10"`
	Avg60   float64 `json:"avg60"`
	Avg300  float64 `json:"avg300"`
	TotalUs uint64  `json:"total_us"`
}
