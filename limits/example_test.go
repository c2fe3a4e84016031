package limits_test

import (
	"fmt"

	"github.com/truelimit/truelimit/limits"
)

// Detect on a captured Kubernetes pod: the container's own cgroup says
// "max", the pod slice above it holds the limit.
func ExampleDetect() {
	res, err := limits.Detect(limits.WithRoot("../testdata/v2-k8s-systemd-pod-limit-leaf-max"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Memory.Limit.State, res.Memory.Limit.Value>>20, "MiB")
	fmt.Println(res.Memory.Limit.Source)
	fmt.Println(res.CPU.Limit.CPUs(), "CPUs")
	for _, d := range res.Diagnostics {
		fmt.Println(d.Code)
	}
	// Output:
	// limited 2048 MiB
	// /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod2d7d6742_06e6_4c5c_a405_5a05fa9b85a6.slice
	// 2 CPUs
	// limit-in-ancestor
}

// ForCgroup with the OCI systemd cgroupsPath a runtime receives, before the
// container's scope exists.
func ExampleForCgroup() {
	res, err := limits.ForCgroup("kubepods-burstable-pod2d7d6742_06e6_4c5c_a405_5a05fa9b85a6.slice:cri-containerd:0123abcd",
		limits.FormAuto, limits.WithRoot("../testdata/v2-k8s-systemd-pod-limit-leaf-max"))
	if err != nil {
		fmt.Println(err)
		return
	}
	b := res.SandboxBudget(1)
	fmt.Println(b.MemoryBytes>>20, "MiB,", b.CPUs, "CPUs")
	fmt.Println(res.Has(limits.CodeCgroupNotCreated))
	// Output:
	// 2048 MiB, 2 CPUs
	// true
}

// A path that climbs out of the hierarchy is rejected before anything is read.
func ExampleForCgroup_traversal() {
	_, err := limits.ForCgroup("../../etc", limits.FormAuto)
	fmt.Println(err)
	// Output:
	// limits: cgroup path "../../etc": has a ".." component
}
