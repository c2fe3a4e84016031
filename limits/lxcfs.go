package limits

import "bytes"

// findLXCFS is Detect's look at the live mountinfo (see reader.onMountInfo):
// whether LXCFS serves /proc/meminfo. Programs that call only the setters
// do not link it.
func findLXCFS(r *reader, mountinfo []byte) { r.lxcfs = lxcfsMeminfo(mountinfo) }

// lxcfsMeminfo reports whether mountinfo shows LXCFS (file system type
// fuse.lxcfs) mounted on /proc/meminfo, as LXC and some Kubernetes setups
// do for containers: "36 35 0:52 /proc/meminfo /proc/meminfo rw - fuse.lxcfs
// lxcfs rw", the mount point being the fifth field.
func lxcfsMeminfo(mountinfo []byte) bool {
	for rest := mountinfo; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		if !bytes.Contains(line, []byte(" - fuse.lxcfs ")) {
			continue
		}
		field := line
		for range 4 {
			if i := bytes.IndexByte(field, ' '); i >= 0 {
				field = field[i+1:]
			}
		}
		if bytes.HasPrefix(field, []byte("/proc/meminfo ")) {
			return true
		}
	}
	return false
}

// applyLXCFS makes LXCFS's MemTotal (memTotal, read from /proc/meminfo
// where lxcfsMeminfo found LXCFS) a memory limit candidate when it is below
// the kernel's own total (totalRAM, sysinfo(2)): LXCFS computes it on the
// host over the process's whole cgroup path, levels hidden from the process
// included. It wins when lower than the walk's limit; otherwise the walk's
// limit stands, now known to be the effective one.
func applyLXCFS(l Limit, memTotal, totalRAM uint64) Limit {
	if memTotal == 0 || memTotal >= totalRAM {
		return l
	}
	if l.State != Limited || memTotal < l.Value {
		return Limit{State: Limited, Value: memTotal, Source: SourceLXCFS, Scope: ScopeEffective}
	}
	l.Scope = ScopeEffective
	return l
}
