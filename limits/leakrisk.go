package limits

import (
	"strconv"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/parse"
	"github.com/truelimit/truelimit/limits/internal/own"
	cgv1 "github.com/truelimit/truelimit/v1"
)

// Memory cgroup IDs are 16 bits (include/linux/memcontrol.h MEM_CGROUP_ID_MAX);
// at 90% of them mkdir is close to failing with ENOSPC.
const (
	memcgIDMax       = 65535
	memcgIDThreshold = (memcgIDMax*9 + 9) / 10
)

// leakRisk raises memcg-leak-risk: on kernels before 4.15 a v1 memory cgroup
// with kernel-memory accounting active keeps its ID after rmdir until its slab
// objects are freed, so IDs run out (kubernetes/kubernetes#61937); on any
// kernel, R/proc/cgroups shows how many memory cgroups exist. It reads
// R/proc/sys/kernel/osrelease (kept as Host.KernelRelease), the leaf's
// memory.kmem.usage_in_bytes and memory.kmem.limit_in_bytes on such old
// kernels only, and R/proc/cgroups.
func (r *reader) leakRisk(leaf cgroup.Location) {
	if data, err := r.readProc("/proc/sys/kernel/osrelease"); err == nil {
		release := string(parse.TrimSpace(data))
		r.res.Host.KernelRelease = release
		if major, minor, err := parse.KernelVersion(data); err == nil && (major < 4 || (major == 4 && minor < 15)) {
			if reason := r.kmemActive(leaf); reason != "" {
				r.diag(CodeMemcgLeakRisk, "kernel "+release+" is older than 4.15 and "+reason+
					": memory cgroup IDs leak until mkdir fails with ENOSPC near 65535")
			}
		}
	}
	data, err := r.readProc("/proc/cgroups")
	if err != nil {
		return
	}
	if e, found, err := cgv1.ParseProcCgroups(data, "memory"); err == nil && found && e.NumCgroups >= memcgIDThreshold {
		r.diag(CodeMemcgLeakRisk, strconv.FormatUint(e.NumCgroups, 10)+" memory cgroups exist (/proc/cgroups), at least 90% of the 65535 IDs the kernel has")
	}
}

// kmemActive says why kernel-memory accounting is active in the leaf, or "".
func (r *reader) kmemActive(leaf cgroup.Location) string {
	lv := r.addLevel(memoryIdx, leaf)
	r.read(leaf, own.Kmem, &lv.values)
	if u := lv.values.KmemUsage; u.Status == own.Set && u.Value > 0 {
		return "kernel-memory accounting is active (memory.kmem.usage_in_bytes " + strconv.FormatUint(u.Value, 10) + ")"
	}
	if l := lv.values.KmemLimit; l.Status == own.Set {
		return "a kernel-memory limit is set (memory.kmem.limit_in_bytes " + strconv.FormatUint(l.Value, 10) + ")"
	}
	return ""
}
