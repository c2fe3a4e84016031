// Package nodescan gives cmd/vmscan, the probe with -scan, node.Scan's
// answer as a probe.ScanDoc.
package nodescan

import (
	"github.com/truelimit/truelimit/internal/e2e/probe"
	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/node"
)

// Scan runs node.Scan of root: "/" from the process's own mountinfo,
// another directory with node.WithHostRoot.
func Scan(root string) *probe.ScanDoc {
	var opts []node.Option
	if root != "/" {
		opts = append(opts, node.WithHostRoot(root))
	}
	doc := &probe.ScanDoc{Root: root, Hierarchies: []probe.HierarchyDoc{}, Limited: []probe.LimitedDoc{}}
	tree, err := node.Scan(opts...)
	if err != nil {
		doc.Error = err.Error()
		return doc
	}
	doc.Mode = tree.Mode.String()
	for _, h := range tree.Hierarchies {
		doc.Hierarchies = append(doc.Hierarchies, probe.HierarchyDoc{Controllers: h.Controllers, Version: int(h.Version),
			MountPoint: h.MountPoint, MountRoot: h.MountRoot, Top: h.Top})
	}
	for _, cg := range tree.Cgroups {
		mem, cpu := cg.Effective.Memory, cg.Effective.CPU
		if mem.State != limits.Limited && cpu.State != limits.Limited {
			continue
		}
		l := probe.LimitedDoc{Path: cg.Path}
		if mem.State == limits.Limited {
			l.Memory, l.MemorySource = mem.Value, mem.Source
		}
		if cpu.State == limits.Limited {
			l.CPU, l.CPUSource = cpu.CPUs(), cpu.Source
		}
		doc.Limited = append(doc.Limited, l)
	}
	return doc
}
