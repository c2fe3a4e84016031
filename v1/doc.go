// Package v1 parses the interface files of the legacy cgroup v1 hierarchies
// (Documentation/admin-guide/cgroup-v1/memory.rst, cpuacct.rst, cpusets.rst,
// Documentation/scheduler/sched-bwc.rst) and /proc/cgroups: one function per
// file format, bytes in, values out. It reads no files itself; package
// limits does, and hands the bytes here.
//
// Errors are *cgroup.ParseError values naming the file and wrapping
// cgroup.ErrSyntax (not the shape the kernel writes) or cgroup.ErrRange (a
// number the kernel would never hold in that file).
package v1
