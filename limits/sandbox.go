package limits

import "strconv"

// SourceHost names the host's totals as the source of a SandboxBudget value:
// no cgroup on the walk limits it.
const SourceHost = "host"

// SandboxBudget is what a sandbox runtime sizes a sandbox with, as gVisor's
// runsc does with --total-memory and --cpu-num-from-quota.
type SandboxBudget struct {
	// MemoryBytes is min(host MemTotal, effective memory limit); 0 when
	// neither is known.
	MemoryBytes uint64
	// MemorySource is the cgroup that set MemoryBytes, or SourceHost.
	MemorySource string
	// CPUs is min(cpuset size, ceil(quota/period)), falling back to the CPUs
	// the process may run on, and never below the caller's minimum.
	CPUs int
	// CPUSource says what set CPUs: "cpu quota of <cgroup>", "cpuset of
	// <cgroup>", SourceHost, or "minimum".
	CPUSource string
}

// SandboxBudget turns the effective limits into a sandbox's budget. minCPUs
// is the least CPU count the caller accepts (runsc uses 2 so that a
// fractional quota still gets parallel GC); values below 1 mean 1. It only
// reads r, so it is safe for concurrent use.
func (r Result) SandboxBudget(minCPUs int) SandboxBudget {
	var b SandboxBudget
	b.MemoryBytes, b.MemorySource = r.Host.MemTotal, SourceHost
	if l := r.Memory.Limit; l.State == Limited && (b.MemoryBytes == 0 || l.Value < b.MemoryBytes) {
		b.MemoryBytes, b.MemorySource = l.Value, l.Source
	}
	if b.MemoryBytes == 0 {
		b.MemorySource = ""
	}

	b.CPUs, b.CPUSource = r.Host.AffinityCPUs, SourceHost
	if b.CPUs == 0 {
		b.CPUs = r.Host.OnlineCPUs
	}
	if s := r.CPU.Set; s.State == Limited && s.CPUs.Count() > 0 && (b.CPUs == 0 || s.CPUs.Count() < b.CPUs) {
		b.CPUs, b.CPUSource = s.CPUs.Count(), "cpuset of "+s.Source
	}
	if q := r.CPU.Limit; q.State == Limited {
		if n := ceilDiv(q.Quota, q.Period); b.CPUs == 0 || n < uint64(b.CPUs) {
			b.CPUs, b.CPUSource = int(n), "cpu quota of "+q.Source+" ("+strconv.FormatFloat(q.CPUs(), 'g', -1, 64)+" CPUs, rounded up)"
		}
	}
	if minCPUs < 1 {
		minCPUs = 1
	}
	if b.CPUs < minCPUs {
		b.CPUs, b.CPUSource = minCPUs, "minimum"
	}
	return b
}

func ceilDiv(a, b uint64) uint64 {
	if b == 0 {
		return 0
	}
	return a/b + min(a%b, 1)
}
