package limits

import (
	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/parse"
)

// readHost fills the host's totals: MemTotal from /proc/meminfo, the online
// CPUs from /sys/devices/system/cpu/online and, on the live system, the
// process's CPU affinity. A missing file leaves its field zero (unknown).
func (r *reader) readHost() {
	h := &r.res.Host
	if data, err := r.readProc("/proc/meminfo"); err == nil {
		if total, err := parse.MemTotal(data); err == nil {
			h.MemTotal = total
		}
	}
	if data, err := r.readProc("/sys/devices/system/cpu/online"); err == nil {
		if n, err := cgroup.CountCPUList(data); err == nil {
			h.OnlineCPUs = n
		}
	}
	if r.cfg.root == "/" {
		h.AffinityCPUs = affinityCPUs(r.cfg.pid)
	}
}
