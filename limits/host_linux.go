package limits

import (
	"strconv"
	"unsafe"

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

// cgroupNamespaceLink is /proc/self/ns/cgroup as a C string, for
// readlinkat(2) without converting (and allocating) on every detection.
var cgroupNamespaceLink = []byte("/proc/self/ns/cgroup\x00")

// atFDCWD is AT_FDCWD in a variable, so it converts to uintptr.
var atFDCWD = unix.AT_FDCWD

// initialCgroupNamespace is the inode of the initial cgroup namespace
// (include/linux/proc_ns.h PROC_CGROUP_INIT_INO).
const initialCgroupNamespace = "cgroup:[4026531835]"

// foreignCgroupNamespace returns why the reader is in a cgroup namespace other
// than the initial one (so the top of every walk is a namespace root, not the
// host's root cgroup), or "".
func foreignCgroupNamespace() string {
	var buf [64]byte
	n, _, errno := unix.Syscall6(unix.SYS_READLINKAT, uintptr(atFDCWD), uintptr(unsafe.Pointer(&cgroupNamespaceLink[0])),
		uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0, 0)
	if errno != 0 || string(buf[:n]) == initialCgroupNamespace {
		return ""
	}
	return "the process runs in a cgroup namespace (" + string(buf[:n]) + "), whose root hides the cgroups above it"
}
