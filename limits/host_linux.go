package limits

import (
	"math/bits"
	"sync"
	"syscall"
	"unsafe"

	"github.com/truelimit/truelimit/internal/readfile"
)

// affinityWords bounds the CPU mask sched_getaffinity(2) fills: 4096 CPUs.
const affinityWords = 64

// affinityCPUs returns how many CPUs the process pid (0: the caller) may run
// on (sched_getaffinity(2)), or 0 when it cannot be read. It uses package
// syscall rather than golang.org/x/sys/unix: that package's constants alone
// would add hundreds of kilobytes of debug information to every program
// importing limits/auto.
func affinityCPUs(pid int) int {
	// The kernel fills the first cpumask_size() bytes, a multiple of the
	// kernel's long (4 bytes on 32-bit), and leaves the rest zero.
	var mask [affinityWords]uint64
	_, _, errno := syscall.RawSyscall(syscall.SYS_SCHED_GETAFFINITY, uintptr(pid), uintptr(len(mask)*8), uintptr(unsafe.Pointer(&mask[0])))
	if errno != 0 {
		return 0
	}
	count := 0
	for _, word := range mask {
		count += bits.OnesCount64(word)
	}
	return count
}

// cgroupNamespaceLink is /proc/self/ns/cgroup as a C string, for
// readlinkat(2) without converting (and allocating) on every detection.
var cgroupNamespaceLink = []byte("/proc/self/ns/cgroup\x00")

// initialCgroupNamespace is the inode of the initial cgroup namespace
// (include/linux/proc_ns.h PROC_CGROUP_INIT_INO).
const initialCgroupNamespace = "cgroup:[4026531835]"

// foreignCgroupNamespace returns why the reader is in a cgroup namespace other
// than the initial one (so the top of every walk is a namespace root, not the
// host's root cgroup), or "".
func foreignCgroupNamespace() string {
	if ns := cgroupNamespace(); ns != "" && ns != initialCgroupNamespace {
		return "the process runs in a cgroup namespace (" + ns + "), whose root hides the cgroups above it"
	}
	return ""
}

// inForeignCgroupNamespace reports whether the reader is in a cgroup
// namespace other than the initial one.
func inForeignCgroupNamespace() bool {
	ns := cgroupNamespace()
	return ns != "" && ns != initialCgroupNamespace
}

// cgroupNamespace is /proc/self/ns/cgroup's link, read once: a process
// enters another cgroup namespace only by setns(2) or unshare(2), which a
// program that wants its own limits does not do. "" when it cannot be read.
var cgroupNamespace = sync.OnceValue(func() string {
	var buf [64]byte
	ns, err := readfile.Readlink(cgroupNamespaceLink, buf[:])
	if err != nil {
		return ""
	}
	return string(ns)
})
