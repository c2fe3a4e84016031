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
	// Usage is null in what the probe writes (it reads no usage); a
	// report with usage decodes to a non-nil map the checks would see.
	Usage *map[string]any `json:"usage"`
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
