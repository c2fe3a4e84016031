//go:build linux

package node_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/cgtest"
	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/node"
)

// TestScanProcessViewsRealKernel starts a process in a cgroup below a CFS
// quota of 0.5 CPU, in a cgroup namespace and a mount namespace of its own
// where its v1 cpu hierarchy is mounted again, so that the kernel makes its
// cgroup the root of that mount, as a container runtime's private cgroup
// namespace does. Scan reads the mount root in the process's mountinfo and
// says the quota above it is hidden from the process.
func TestScanProcessViewsRealKernel(t *testing.T) {
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("no unshare(1):", err)
	}
	pod := cgtest.New(t, "cpu")
	pod.Set(t, "cpu", "cpu.cfs_period_us", "100000")
	pod.Set(t, "cpu", "cpu.cfs_quota_us", "50000")
	ctr := pod.Child(t, "ctr")

	mountinfo, err := os.ReadFile("/proc/self/mountinfo")
	require.NoError(t, err)
	mounts, err := cgroup.AppendMountInfo(nil, mountinfo)
	require.NoError(t, err)
	loc, err := cgroup.LocatePath(mounts, "cpu", ctr.Path("cpu"))
	require.NoError(t, err)
	require.Equal(t, cgroup.Version(1), loc.Version, "cgtest made a v1 group")
	// Inside its namespaces the process mounts its cpu hierarchy (the same
	// controllers, so the same hierarchy) over the old mount; the kernel
	// roots a cgroup v1 mount made in a cgroup namespace at the namespace's
	// root, its own cgroup. --mount makes the mounts private.
	script := `umount "$1" && mount -t cgroup -o "$2" cgroup "$1" && echo ready && exec sleep 120`
	cmd := ctr.Command(t, unshare, "--cgroup", "--mount", "/bin/sh", "-c", script, "sh",
		loc.Mount.MountPoint, strings.Join(loc.Mount.Controllers(), ","))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if line != "ready\n" {
		t.Skipf("the process could not mount its cpu hierarchy in new namespaces: %q", stderr.String())
	}
	pid := cmd.Process.Pid

	tree, err := node.Scan(node.WithTop(pod.Path("cpu")), node.WithProcessViews())
	require.NoError(t, err)
	cg := tree.Lookup(ctr.Path("cpu"))
	require.NotNil(t, cg, "the container cgroup is scanned")
	assert.Equal(t, limits.CPULimit{State: limits.Limited, Quota: 50000, Period: 100000, Source: pod.Path("cpu"), Scope: cg.Effective.CPU.Scope},
		cg.Effective.CPU)
	require.NotNil(t, cg.Process, "the process has a view: %+v", tree.Diagnostics)
	assert.Equal(t, pid, cg.Process.PID)
	assert.Equal(t, []string{node.LimitCPU}, cg.Process.Hidden)
	assert.Equal(t, limits.CPULimit{State: limits.Unlimited, Scope: limits.ScopeVisible}, cg.Process.Sees.CPU)
	assert.Nil(t, tree.Lookup(pod.Path("cpu")).Process, "the pod cgroup is not a leaf")

	var hidden []string
	for _, d := range tree.Diagnostics {
		if d.Code == limits.CodeLimitHiddenFromProcess {
			hidden = append(hidden, d.Message)
		}
	}
	require.Len(t, hidden, 1, "%+v", tree.Diagnostics)
	assert.Contains(t, hidden[0], "cgroup "+ctr.Path("cpu")+" (pid ")
	assert.Contains(t, hidden[0], "CPU limit: below the top of its cpu hierarchy, "+ctr.Path("cpu")+
		", it sees unlimited, but 0.5 CPUs from "+pod.Path("cpu")+" applies")
	t.Log(hidden[0])
}
