package limits

import "bytes"

// lxcfsMeminfo reports whether mountinfo shows LXCFS (file system type
// fuse.lxcfs) mounted on /proc/meminfo, as LXC and some Kubernetes setups
// do for containers.
func lxcfsMeminfo(mountinfo []byte) bool {
	for rest := mountinfo; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		// "36 35 0:52 /proc/meminfo /proc/meminfo rw,... - fuse.lxcfs lxcfs rw,..."
		fields, fstype, ok := bytes.Cut(line, []byte(" - "))
		if !ok || !bytes.HasPrefix(fstype, []byte("fuse.lxcfs ")) {
			continue
		}
		if f := bytes.Fields(fields); len(f) >= 5 && string(f[4]) == "/proc/meminfo" {
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
