package probe

// ScanDoc is node.Scan's answer (package nodescan makes it, for
// cmd/vmscan: this package links no node.Scan, so that vmprobe builds as a
// go 1.24 module) as the host-root scenario compares it:
// from inside a container with the host's /sys/fs/cgroup and /proc mounted
// under a directory (WithHostRoot), and on the host itself.
type ScanDoc struct {
	// Root is the -scan directory: "/" scans from the probe's own
	// mountinfo, any other directory with node.WithHostRoot.
	Root  string `json:"root"`
	Error string `json:"error"`
	// Mode is the tree's cgroup mode.
	Mode        string         `json:"mode"`
	Hierarchies []HierarchyDoc `json:"hierarchies"`
	// Limited are the cgroups with an effective memory or CPU limit, in
	// the tree's order: on a test guest, the ones its scenario limited.
	Limited []LimitedDoc `json:"limited"`
}

// HierarchyDoc is a node.Hierarchy.
type HierarchyDoc struct {
	Controllers []string `json:"controllers"`
	Version     int      `json:"version"`
	MountPoint  string   `json:"mount_point"`
	MountRoot   string   `json:"mount_root"`
	Top         string   `json:"top"`
}

// LimitedDoc is a cgroup's effective memory and CPU limits, each with the
// cgroup that sets it; 0 and "" where it has none.
type LimitedDoc struct {
	Path         string  `json:"path"`
	Memory       uint64  `json:"memory"`
	MemorySource string  `json:"memory_source"`
	CPU          float64 `json:"cpu"`
	CPUSource    string  `json:"cpu_source"`
}
