package limits

import (
	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/parse"
)

// readHost fills the host's totals: with memTotal MemTotal from
// R/proc/meminfo (for a report, or the setters' host-memory fallback); on
// the live system the CPU affinity of the process pid (0 for the caller),
// which caps GOMAXPROCS. A missing file leaves its field zero (unknown).
func (r *reader) readHost(pid int, memTotal bool) {
	h := &r.res.Host
	if memTotal {
		if data, err := r.readProc("/proc/meminfo"); err == nil {
			if total, err := parse.MemTotal(data); err == nil {
				h.MemTotal = total
			}
		}
	}
	if r.root == "/" {
		h.AffinityCPUs = affinityCPUs(pid)
	}
}

// readOnlineCPUs reads R/sys/devices/system/cpu/online, for a report.
func (r *reader) readOnlineCPUs() {
	if data, err := r.readProc("/sys/devices/system/cpu/online"); err == nil {
		if n, err := cgroup.CountCPUList(data); err == nil {
			r.res.Host.OnlineCPUs = n
		}
	}
}

// rlimits, when set (by tests), replaces the process's resource limits
// (memoryRlimits) under every root.
var rlimits func() (as, data uint64)
