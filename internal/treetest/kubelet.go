package treetest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The QoS classes of a kubelet with the systemd cgroup driver: Guaranteed
// pods sit directly under kubepods.slice, the others under their QoS slice
// (kubelet pkg/kubelet/cm/cgroup_manager_linux.go, qos_container_manager_linux.go).
var qosClasses = [...]string{"guaranteed", "burstable", "besteffort"}

const (
	gib = 1 << 30
	mib = 1 << 20
	// KubeletAllocatable is the kubelet node's kubepods.slice memory.max:
	// node memory minus reserved.
	KubeletAllocatable = uint64(7 * gib)
	// KubeletPodPids is each pod's pids.max.
	KubeletPodPids = 4096
)

// KubeletNode describes a generated v2 node: the root cgroup, kubepods.slice,
// its two QoS slices, and pods of three containers each.
type KubeletNode struct {
	Root    string
	Cgroups []string // every cgroup path, parents first
}

// cgroupFiles are the interface files of a v2 cgroup with cpuset, cpu, io,
// memory and pids enabled, as the fixture trees in testdata carry them: the
// ones Scan reads and a few it does not.
func cgroupFiles(memMax, memHigh, cpuMax, cpuset, pidsMax string) map[string]string {
	return map[string]string{
		"cgroup.controllers":     "cpuset cpu io memory pids\n",
		"cgroup.subtree_control": "cpuset cpu io memory pids\n",
		"memory.max":             memMax + "\n",
		"memory.high":            memHigh + "\n",
		"memory.swap.max":        "0\n",
		"cpu.max":                cpuMax + "\n",
		"cpu.weight":             "100\n",
		"cpuset.cpus.effective":  cpuset + "\n",
		"pids.max":               pidsMax + "\n",
	}
}

// WriteKubeletNode writes, under root, a v2 host whose kubelet
// runs the given number of pods with three containers each
// (kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid>.slice/
// cri-containerd-<64 hex>.scope; Guaranteed pods without the QoS level).
// Limits vary so that the binding one comes from every level somewhere.
// Every cgroup but the root has a memory.current, below its limits: a
// container 8 to 157 MiB, a pod its containers' sum and 2 MiB more, a QoS
// slice its pods' sum, kubepods.slice KubeletAllocatable less 1 GiB (whatever
// the pods use), so that the least headroom also comes from every level.
func WriteKubeletNode(tb testing.TB, root string, pods int) KubeletNode {
	tb.Helper()
	k := KubeletNode{Root: root}
	write := func(cgroupPath string, files map[string]string) {
		dir := filepath.Join(root, "sys/fs/cgroup", cgroupPath)
		require.NoError(tb, os.MkdirAll(dir, 0o755))
		for name, content := range files {
			require.NoError(tb, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
		}
		k.Cgroups = append(k.Cgroups, cgroupPath)
	}
	require.NoError(tb, os.MkdirAll(filepath.Join(root, "proc/self"), 0o755))
	require.NoError(tb, os.WriteFile(filepath.Join(root, "proc/self/mountinfo"),
		[]byte("35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n"), 0o644))

	// The root cgroup has no memory.max, memory.high, cpu.max or pids.max.
	write("/", map[string]string{
		"cgroup.controllers":     "cpuset cpu io memory hugetlb pids rdma misc\n",
		"cgroup.subtree_control": "cpuset cpu io memory pids\n",
		"cpuset.cpus.effective":  "0-7\n",
	})
	sliceCurrent := map[string]uint64{"/kubepods.slice": KubeletAllocatable - gib,
		"/kubepods.slice/kubepods-burstable.slice": 0, "/kubepods.slice/kubepods-besteffort.slice": 0}
	write("/kubepods.slice", cgroupFiles(fmt.Sprint(KubeletAllocatable), "max", "max", "0-7", "max"))
	write("/kubepods.slice/kubepods-burstable.slice", cgroupFiles("max", "max", "max", "0-7", "max"))
	write("/kubepods.slice/kubepods-besteffort.slice", cgroupFiles("max", "max", "max", "0-7", "max"))
	for i := range pods {
		qos := qosClasses[i%len(qosClasses)]
		uid := fmt.Sprintf("%08x_%04x_4%03x_a%03x_%012x", uint64(i)*2654435761%(1<<32), i%0x10000, i%0x1000, (i*7)%0x1000, i)
		parent := "/kubepods.slice"
		if qos != "guaranteed" {
			parent += "/kubepods-" + qos + ".slice"
		}
		pod := parent + "/kubepods-" + qos + "-pod" + uid + ".slice"
		if qos == "guaranteed" {
			pod = parent + "/kubepods-pod" + uid + ".slice"
		}
		podMem, podCPU, containerCPUs := "max", "max", "0-7"
		switch qos {
		case "guaranteed":
			podMem, podCPU = fmt.Sprint((i%4+1)*768*mib), fmt.Sprintf("%d 100000", (i%4+1)*75000)
			if i%5 == 0 { // the static CPU manager pins the containers of some Guaranteed pods
				containerCPUs = fmt.Sprintf("%d-%d", 2+i/3%3*2, 3+i/3%3*2)
			}
		case "burstable":
			podMem = fmt.Sprint((i%3 + 1) * 512 * mib)
			if i%2 == 0 {
				podCPU = "200000 100000"
			}
		}
		var current [3]uint64
		podCurrent := uint64(2 * mib)
		for c := range current {
			current[c] = uint64((i*7+c*13)%150+8) * mib
			podCurrent += current[c]
		}
		if qos != "guaranteed" {
			sliceCurrent[parent] += podCurrent
		}
		write(pod, withCurrent(cgroupFiles(podMem, "max", podCPU, "0-7", fmt.Sprint(KubeletPodPids)), podCurrent))
		for c := range 3 {
			id := strings.Repeat(fmt.Sprintf("%016x", uint64(i)*3+uint64(c)+0x9e3779b97f4a7c15), 4)
			mem, high, cpu := "max", "max", "max"
			switch {
			case qos == "guaranteed":
				mem, cpu = fmt.Sprint((i%4+1)*256*mib), fmt.Sprintf("%d 100000", (i%4+1)*25000)
			case qos == "burstable" && c == 1:
				mem, high, cpu = fmt.Sprint(1*gib), fmt.Sprint(384*mib), "50000 100000"
			case qos == "burstable" && c == 2:
				mem = fmt.Sprint(256 * mib)
			}
			write(pod+"/cri-containerd-"+id+".scope", withCurrent(cgroupFiles(mem, high, cpu, containerCPUs, "max"), current[c]))
		}
	}
	for path, current := range sliceCurrent {
		require.NoError(tb, os.WriteFile(filepath.Join(root, "sys/fs/cgroup", path, "memory.current"), []byte(fmt.Sprintln(current)), 0o644))
	}
	return k
}

// withCurrent adds a memory.current to a cgroup's files.
func withCurrent(files map[string]string, current uint64) map[string]string {
	files["memory.current"] = fmt.Sprintln(current)
	return files
}
