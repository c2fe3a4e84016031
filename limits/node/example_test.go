package node_test

import (
	"fmt"

	"github.com/truelimit/truelimit/limits/node"
)

// Scan a captured Kubernetes node: the container's own memory.max says
// "max", but the pod slice above it binds, which DiffersFromOwn points out.
func ExampleScan() {
	tree, err := node.Scan(node.WithRoot("../../testdata/v2-k8s-systemd-pod-limit-leaf-max"))
	if err != nil {
		fmt.Println(err)
		return
	}
	pod := "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod2d7d6742_06e6_4c5c_a405_5a05fa9b85a6.slice"
	c := tree.Lookup(pod + "/cri-containerd-d8e642ac67a0b873e64e98295022eb1ac086e2e3ee36c530ce164a25cb429656.scope")
	fmt.Println(c.Own.Memory.State, c.Effective.Memory.Value>>20, "MiB from the pod:", c.Effective.Memory.Source == pod)
	fmt.Println(c.DiffersFromOwn())
	// Output:
	// unlimited 2048 MiB from the pod: true
	// [memory cpu]
}
