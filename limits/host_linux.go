package limits

import (
	"math"
	"math/bits"
	"syscall"
	"unsafe"
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

// kernelTotalRAM is the kernel's own total of usable RAM (sysinfo(2)
// totalram times mem_unit), which no file system can virtualize; 0 when it
// cannot be read.
func kernelTotalRAM() uint64 {
	var info syscall.Sysinfo_t
	if syscall.Sysinfo(&info) != nil {
		return 0
	}
	return uint64(info.Totalram) * uint64(info.Unit)
}

// memoryRlimits returns the process's soft RLIMIT_AS and RLIMIT_DATA
// (getrlimit(2)), 0 where unlimited or unreadable: an allocation beyond
// either fails in the kernel, so GOMEMLIMIT stays below them. It reads them
// on the live system only (root "/"), like the affinity; tests set rlimits.
func memoryRlimits(root string) (as, data uint64) {
	switch {
	case rlimits != nil:
		return rlimits()
	case root != "/":
		return 0, 0
	}
	return softRlimit(syscall.RLIMIT_AS), softRlimit(syscall.RLIMIT_DATA)
}

func softRlimit(resource int) uint64 {
	var l syscall.Rlimit
	if syscall.Getrlimit(resource, &l) != nil || uint64(l.Cur) >= math.MaxInt64 {
		return 0
	}
	return uint64(l.Cur)
}
