package limits

import (
	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/parse"
)

// readHost fills the host's totals: on the live system the process's CPU
// affinity; MemTotal from /proc/meminfo with details or for the setters'
// host-memory fallback; with details the online CPUs. A missing file leaves
// its field zero (unknown).
func (r *reader) readHost() {
	h := &r.res.Host
	if r.detailed() || r.cfg.hostFallback {
		if data, err := r.readProc("/proc/meminfo"); err == nil {
			if total, err := parse.MemTotal(data); err == nil {
				h.MemTotal = total
			}
		}
	}
	if r.detailed() {
		r.cfg.details.host(r)
	}
	if r.cfg.root == "/" {
		h.AffinityCPUs = affinityCPUs(r.cfg.pidID)
	}
}

// onlineCPUs reads /sys/devices/system/cpu/online into Host.OnlineCPUs.
func (r *reader) onlineCPUs() {
	if data, err := r.readProc("/sys/devices/system/cpu/online"); err == nil {
		if n, err := cgroup.CountCPUList(data); err == nil {
			r.res.Host.OnlineCPUs = n
		}
	}
}
