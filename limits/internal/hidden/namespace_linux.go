package hidden

import (
	"sync"

	"github.com/truelimit/truelimit/internal/readfile"
)

// cgroupNamespaceLink is /proc/self/ns/cgroup as a C string, for
// readlinkat(2).
var cgroupNamespaceLink = []byte("/proc/self/ns/cgroup\x00")

// initialCgroupNamespace is the inode of the initial cgroup namespace
// (include/linux/proc_ns.h PROC_CGROUP_INIT_INO).
const initialCgroupNamespace = "cgroup:[4026531835]"

// ForeignCgroupNamespace returns the reader's cgroup namespace
// ("cgroup:[4026532301]") when it is not the initial one, so that the top
// of every walk it makes is a namespace root, not the host's root cgroup;
// "" otherwise, or when /proc/self/ns/cgroup cannot be read.
func ForeignCgroupNamespace() string {
	if ns := cgroupNamespace(); ns != initialCgroupNamespace {
		return ns
	}
	return ""
}

// The reader's cgroup namespace, read once: a process enters another cgroup
// namespace only by setns(2) or unshare(2), which a program that wants its
// own limits does not do.
var (
	namespaceOnce sync.Once
	namespace     string
)

// cgroupNamespace is /proc/self/ns/cgroup's link, "" when it cannot be read.
func cgroupNamespace() string {
	namespaceOnce.Do(func() {
		var buf [64]byte
		if ns, err := readfile.Readlink(cgroupNamespaceLink, buf[:]); err == nil {
			namespace = string(ns)
		}
	})
	return namespace
}
