//go:build linux

package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/cgtest"
	"github.com/truelimit/truelimit/internal/parse"
)

// buildProbe builds limits/internal/probe, with limits/auto blank-imported
// when auto is set.
func buildProbe(t *testing.T, auto bool) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "probe")
	args := []string{"build", "-o", out}
	if auto {
		args = append(args, "-tags", "truelimit_auto")
	}
	cmd := exec.Command("go", append(args, ".")...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the probe: %v\n%s", err, msg)
	}
	return out
}

// podWithUnlimitedChild is the Kubernetes shape on this machine's v1
// hierarchies: the parent (the pod) holds the limits, the child (the
// container) has none.
func podWithUnlimitedChild(t *testing.T, memory, quota string) (pod, container *cgtest.Group) {
	pod = cgtest.New(t, "memory", "cpu")
	if memory != "" {
		pod.Set(t, "memory", "memory.limit_in_bytes", memory)
	}
	pod.Set(t, "cpu", "cpu.cfs_period_us", "100000")
	if quota != "" {
		pod.Set(t, "cpu", "cpu.cfs_quota_us", quota)
	}
	return pod, pod.Child(t, "container")
}

// TestRealKernelGoMemLimitPreventsOOM is why the library exists: a Go program
// whose live heap stays near 320 MiB while it allocates 1000 MiB of garbage, in
// a container whose pod allows 512 MiB. The GC's default goal (twice the live
// heap) passes the pod limit, so without the library the kernel kills it; with
// limits/auto GOMEMLIMIT follows the pod's limit and the program finishes.
//
// The sizes hold under load (go test ./... runs packages in parallel): plain Go
// starts no GC cycle below about 545 MiB of heap (see the probe's allocate), so
// it is killed whatever the timing; with limits/auto, GOMEMLIMIT leaves 51 MiB
// of the pod's limit free, and the probe overshoots the GC's goal by about
// 10 MiB when the GC has to wait for a CPU. The pod peaked at 455 MiB in 30
// runs under a parallel go test ./... load. (A 256 MiB pod with a faster probe
// left 26 MiB, and 4 of 30 such runs were killed.)
func TestRealKernelGoMemLimitPreventsOOM(t *testing.T) {
	tests := []struct {
		name      string
		auto      bool
		wantKill  bool
		wantLimit string
	}{
		{name: "plain Go program", auto: false, wantKill: true, wantLimit: "GOMEMLIMIT=9223372036854775807"},
		{name: "with limits/auto", auto: true, wantKill: false, wantLimit: "GOMEMLIMIT=483183820"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probe := buildProbe(t, tt.auto)
			pod, container := podWithUnlimitedChild(t, "536870912", "")
			cmd := container.Command(t, probe, "-hog")
			cmd.Env = append(cmd.Environ(), "GOGC=100", "TRUELIMIT_REFRESH=0")
			out, err := cmd.CombinedOutput()
			assert.Contains(t, string(out), "start "+tt.wantLimit, "the limit in force when the program started")
			failcnt, ferr := strconv.ParseUint(pod.Read(t, "memory", "memory.failcnt"), 10, 64)
			require.NoError(t, ferr)
			kills := oomKills(t, pod) + oomKills(t, container)
			t.Logf("pod: peak %s of 536870912 bytes, failcnt %d, oom kills %d",
				pod.Read(t, "memory", "memory.max_usage_in_bytes"), failcnt, kills)
			if tt.wantKill {
				var exit *exec.ExitError
				require.True(t, errors.As(err, &exit), "the program must be killed, got %v\n%s", err, out)
				assert.Equal(t, -1, exit.ExitCode(), "killed by a signal")
				assert.Contains(t, exit.String(), "killed")
				assert.Greater(t, failcnt, uint64(0), "memory.failcnt of the pod")
				assert.Greater(t, kills, uint64(0), "oom_kill in memory.oom_control")
				return
			}
			require.NoError(t, err, "the program must finish\n%s", out)
			assert.Contains(t, string(out), "done ")
			assert.Equal(t, uint64(0), kills, "no OOM kill")
		})
	}
}

// TestRealKernelGoMemLimitCaps: limits/auto in a container whose pod's
// limit the host or the process cannot give. A pod limit of twice the host's
// MemTotal (v1 accepts it) gives GOMEMLIMIT from MemTotal; a pod of 512 MiB
// with the process's RLIMIT_DATA at 200 MiB (set by the shell's ulimit -d)
// gives GOMEMLIMIT from RLIMIT_DATA.
func TestRealKernelGoMemLimitCaps(t *testing.T) {
	meminfo, err := os.ReadFile("/proc/meminfo")
	require.NoError(t, err)
	total, err := parse.MemTotal(meminfo)
	require.NoError(t, err)
	probe := buildProbe(t, true)
	tests := []struct {
		name  string
		pod   uint64
		shell string // run before the probe, in the same shell
		want  uint64
	}{
		{name: "a pod limit above MemTotal", pod: 2 * total, want: uint64(float64(total) * 0.9)},
		{name: "RLIMIT_DATA below the pod limit", pod: 512 << 20, shell: "ulimit -d 204800", want: 188743680},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, container := podWithUnlimitedChild(t, strconv.FormatUint(tt.pod, 10), "")
			script := "exec \"$0\""
			if tt.shell != "" {
				script = tt.shell + " && " + script
			}
			cmd := container.Command(t, "/bin/sh", "-c", script, probe)
			cmd.Env = append(cmd.Environ(), "TRUELIMIT_REFRESH=0")
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", out)
			assert.Contains(t, string(out), "start GOMEMLIMIT="+strconv.FormatUint(tt.want, 10)+" ")
		})
	}
}

// oomKills reads oom_kill from the group's memory.oom_control.
func oomKills(t *testing.T, g *cgtest.Group) uint64 {
	t.Helper()
	for _, line := range strings.Split(g.Read(t, "memory", "memory.oom_control"), "\n") {
		if v, ok := strings.CutPrefix(line, "oom_kill "); ok {
			n, err := strconv.ParseUint(v, 10, 64)
			require.NoError(t, err)
			return n
		}
	}
	t.Fatal("memory.oom_control has no oom_kill line")
	return 0
}

// TestRealKernelGoMaxProcsRoundDown: a pod quota of 1 CPU above an unlimited
// container. The runtime alone reads only the container's cgroup and keeps
// GOMAXPROCS at the host's 2 CPUs; the round-down policy on the walked quota
// gives 1.
func TestRealKernelGoMaxProcsRoundDown(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("needs at least 2 CPUs to tell the policies apart")
	}
	probe := buildProbe(t, false)
	_, container := podWithUnlimitedChild(t, "", "100000")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"the runtime alone", nil, "GOMAXPROCS=" + strconv.Itoa(runtime.NumCPU())},
		{"round-down on the walked quota", []string{"-round-down"}, "GOMAXPROCS=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := container.Command(t, probe, tt.args...).CombinedOutput()
			require.NoError(t, err, "%s", out)
			assert.Contains(t, string(out), "start GOMEMLIMIT=9223372036854775807 "+tt.want)
		})
	}
}

// TestRealKernelRefreshFollowsAResize resizes the pod while the program runs
// with a 200 ms refresh: GOMEMLIMIT and GOMAXPROCS must both follow within two
// refresh intervals, and undo must hand GOMAXPROCS back to the runtime.
func TestRealKernelRefreshFollowsAResize(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("needs at least 2 CPUs to see GOMAXPROCS grow")
	}
	const refresh = 200 * time.Millisecond
	probe := buildProbe(t, false)
	pod, container := podWithUnlimitedChild(t, "268435456", "100000")
	cmd := container.Command(t, probe, "-watch", "3s", "-refresh", refresh.String())
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())

	lines := make(chan string, 1024)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(lines)
		for s := bufio.NewScanner(stdout); s.Scan(); {
			lines <- s.Text()
		}
	}()
	waitFor := func(want string, within time.Duration) time.Duration {
		t.Helper()
		start := time.Now()
		deadline := time.After(within)
		for {
			select {
			case line, ok := <-lines:
				if !ok {
					t.Fatalf("the probe ended before printing %q; stderr:\n%s", want, &stderr)
				}
				if strings.Contains(line, want) {
					return time.Since(start)
				}
			case <-deadline:
				t.Fatalf("no %q within %v", want, within)
			}
		}
	}

	waitFor("watch GOMEMLIMIT=241591910 GOMAXPROCS=1", 2*time.Second)
	pod.Set(t, "memory", "memory.limit_in_bytes", "536870912")
	pod.Set(t, "cpu", "cpu.cfs_quota_us", "200000")
	took := waitFor("watch GOMEMLIMIT=483183820 GOMAXPROCS=2", 2*refresh+100*time.Millisecond)
	t.Logf("followed the resize in %v (refresh %v)", took, refresh)
	waitFor("undone GOMEMLIMIT=9223372036854775807 GOMAXPROCS="+strconv.Itoa(runtime.NumCPU()), 5*time.Second)
	wg.Wait()
	require.NoError(t, cmd.Wait(), "stderr:\n%s", &stderr)
}
