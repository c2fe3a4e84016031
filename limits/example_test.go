package limits_test

import (
	"fmt"
	"os"
	"path/filepath"

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

// SetGoMemLimit on a captured pod whose slice holds a 2 GiB limit: GOMEMLIMIT
// becomes 0.9 of it, and the Setting says which cgroup decided.
func ExampleSetGoMemLimit() {
	s, undo, err := limits.SetGoMemLimit(limits.WithRoot("../testdata/v2-k8s-systemd-pod-limit-leaf-max"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer undo() // restores the previous limit
	fmt.Println(s.Name, s.Value)
	fmt.Println(s.Source)
	fmt.Println(s.Policy)
	// Output:
	// GOMEMLIMIT 1932735283
	// /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod2d7d6742_06e6_4c5c_a405_5a05fa9b85a6.slice
	// 0.9 of the memory limit 2147483648 bytes from /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod2d7d6742_06e6_4c5c_a405_5a05fa9b85a6.slice
}

// SetGoMaxProcs on a captured Docker container with half a CPU, rounding down
// as automaxprocs does: GOMAXPROCS 1.
func ExampleSetGoMaxProcs() {
	s, undo, err := limits.SetGoMaxProcs(limits.WithRoot("../testdata/v1-docker-cgroupfs"), limits.WithRoundDown())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer undo() // hands GOMAXPROCS back to the runtime
	fmt.Println(s.Name, s.Value, s.Source)
	// Output:
	// GOMAXPROCS 1 /docker/44b317d826b2d53c344ee49e3fe4686613870c72d811dfd8ec1645d4579f6a47
}

// SetGoLimits sets both values from one detection of a captured Docker
// container (256 MiB, half a CPU): GOMEMLIMIT is 0.9 of 256 MiB and
// GOMAXPROCS rounds down to 1.
func ExampleSetGoLimits() {
	mem, procs, undo, err := limits.SetGoLimits(
		[]limits.MemoryOption{limits.WithRoot("../testdata/v1-docker-cgroupfs")},
		[]limits.ProcsOption{limits.WithRoundDown()})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer undo() // restores both
	fmt.Println(mem.Name, mem.Value)
	fmt.Println(procs.Name, procs.Value)
	// Output:
	// GOMEMLIMIT 241591910
	// GOMAXPROCS 1
}

// WithMemoryReserve on the captured pod of 2 GiB: keeping 512 MiB out of
// GOMEMLIMIT is lower than 0.9 of the limit, so GOMEMLIMIT is 1.5 GiB.
func ExampleWithMemoryReserve() {
	s, undo, err := limits.SetGoMemLimit(limits.WithRoot("../testdata/v2-k8s-systemd-pod-limit-leaf-max"),
		limits.WithMemoryReserve(512<<20))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer undo()
	fmt.Println(s.Value)
	// Output:
	// 1610612736
}

// WithSharedMemoryLimit in a pod of 256 MiB that the process's container
// shares with another one using 100 MiB (the pod's memory.current less the
// container's): the budget is the 156 MiB left.
func ExampleWithSharedMemoryLimit() {
	root, err := os.MkdirTemp("", "shared-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(root)
	for name, content := range map[string]string{
		"proc/self/mountinfo":                                  "35 24 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
		"proc/self/cgroup":                                     "0::/pod.slice/app.scope\n",
		"proc/meminfo":                                         "MemTotal: 8000000 kB\n",
		"sys/fs/cgroup/pod.slice/memory.max":                   "268435456\n",
		"sys/fs/cgroup/pod.slice/memory.current":               "157286400\n", // 150 MiB
		"sys/fs/cgroup/pod.slice/app.scope/memory.max":         "max\n",
		"sys/fs/cgroup/pod.slice/app.scope/memory.current":     "52428800\n", // 50 MiB
		"sys/fs/cgroup/pod.slice/app.scope/cgroup.controllers": "memory\n",
	} {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
			err = os.WriteFile(path, []byte(content), 0o644)
		}
		if err != nil {
			fmt.Println(err)
			return
		}
	}
	s, undo, err := limits.SetGoMemLimit(limits.WithRoot(root), limits.WithSharedMemoryLimit())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer undo()
	fmt.Println(s.Value, s.Source)
	// Output:
	// 147220070 /pod.slice
}

// WithBuildGODEBUG in a binary built without //go:debug directives (this
// test): nothing in its build info turns GOMAXPROCS off, so the round-down
// policy gives 1 for the captured container's half CPU.
func ExampleWithBuildGODEBUG() {
	s, undo, err := limits.SetGoMaxProcs(limits.WithRoot("../testdata/v1-docker-cgroupfs"),
		limits.WithRoundDown(), limits.WithBuildGODEBUG())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer undo()
	fmt.Println(s.Value)
	// Output:
	// 1
}

// ForPID on a captured node where a gVisor sandbox (PID 4242) sits in a
// directory literally named after its pod, under system.slice: no pod limit
// applies to it, and the diagnostic says why.
func ExampleForPID() {
	res, err := limits.ForPID(4242, limits.WithRoot("../testdata/v2-runsc-literal-under-system-slice"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Memory.Limit.State)
	fmt.Println(res.Has(limits.CodeContainerOutsidePod))
	// Output:
	// unlimited
	// true
}

// PlanGoLimits on a captured pod whose slice holds a 2 GiB limit and
// and a quota of 2 CPUs: the values SetGoLimits would set, for a program
// that cannot import the library, with nothing changed in this one.
func ExamplePlanGoLimits() {
	mem, procs, err := limits.PlanGoLimits(
		[]limits.MemoryOption{limits.WithRoot("../testdata/v2-k8s-systemd-pod-limit-leaf-max")}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s=%d (would change: %t)\n", mem.Name, mem.Value, mem.Changed)
	fmt.Println(procs.Name, "from", procs.Source)
	// Output:
	// GOMEMLIMIT=1932735283 (would change: true)
	// GOMAXPROCS from /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod2d7d6742_06e6_4c5c_a405_5a05fa9b85a6.slice
}
