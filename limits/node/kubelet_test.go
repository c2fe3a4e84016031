package node_test

import (
	"testing"

	"github.com/truelimit/truelimit/internal/treetest"
)

const (
	gib         = 1 << 30
	allocatable = treetest.KubeletAllocatable
)

// kubeletTree is a generated kubelet node (treetest.WriteKubeletNode).
type kubeletTree struct {
	root    string
	cgroups []string // every cgroup path, parents first
}

func writeKubeletTree(tb testing.TB, root string, pods int) kubeletTree {
	k := treetest.WriteKubeletNode(tb, root, pods)
	return kubeletTree{root: k.Root, cgroups: k.Cgroups}
}
