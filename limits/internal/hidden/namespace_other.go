//go:build !linux

package hidden

// ForeignCgroupNamespace returns "": cgroup namespaces exist only on Linux.
func ForeignCgroupNamespace() string { return "" }
