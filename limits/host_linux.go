package limits

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// affinityCPUs returns how many CPUs the process may run on
// (sched_getaffinity(2)), or 0 when it cannot be read.
func affinityCPUs(pid string) int {
	id := 0
	if pid != "self" {
		n, err := strconv.Atoi(pid)
		if err != nil {
			return 0
		}
		id = n
	}
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(id, &set); err != nil {
		return 0
	}
	return set.Count()
}

// initialCgroupNamespace is the inode of the initial cgroup namespace
// (include/linux/proc_ns.h PROC_CGROUP_INIT_INO).
const initialCgroupNamespace = "cgroup:[4026531835]"

// foreignCgroupNamespace returns why the reader is in a cgroup namespace other
// than the initial one (so the top of every walk is a namespace root, not the
// host's root cgroup), or "".
func foreignCgroupNamespace() string {
	link, err := os.Readlink("/proc/self/ns/cgroup")
	if err != nil || link == initialCgroupNamespace {
		return ""
	}
	return "the process runs in a cgroup namespace (" + link + "), whose root hides the cgroups above it"
}
