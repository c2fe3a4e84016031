//go:build linux

package cgtest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

var allControllers = []string{"memory", "cpu", "cpuset", "pids"}

const (
	memoryLimit = 64 << 20
	// memswLimit caps memory+swap above memoryLimit, so a host with swap
	// cannot save the process, while memory.limit_in_bytes is still the
	// counter that fails first (memory.failcnt grows, not memsw.failcnt).
	memswLimit = 80 << 20
	allocation = 100 << 20
)

// TestCommandRunsInsideGroupAndIsOOMKilled starts processes in a group of
// every controller with a 64 MiB memory limit: each must see the group in its
// /proc/self/cgroup, and allocating 100 MiB must get it OOM-killed with the
// group's memory.failcnt and oom_kill counters growing.
func TestCommandRunsInsideGroupAndIsOOMKilled(t *testing.T) {
	if IsHelper(t) {
		printCgroupThenAllocate()
		return
	}
	cases := []struct {
		name  string
		start func(t *testing.T, g *Group) *exec.Cmd
	}{
		{"shell pipeline", func(t *testing.T, g *Group) *exec.Cmd {
			return g.Command(t, "sh", "-c", "cat /proc/self/cgroup; head -c 100M /dev/zero | tail")
		}},
		{"re-executed test binary", func(t *testing.T, g *Group) *exec.Cmd {
			return HelperCommand(t, g, "TestCommandRunsInsideGroupAndIsOOMKilled")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := New(t, allControllers...)
			g.Set(t, "memory", "memory.limit_in_bytes", strconv.Itoa(memoryLimit))
			if _, err := os.Stat(g.Dir("memory") + "/memory.memsw.limit_in_bytes"); err == nil {
				g.Set(t, "memory", "memory.memsw.limit_in_bytes", strconv.Itoa(memswLimit))
			}
			failcntBefore := readUint(t, g.Read(t, "memory", "memory.failcnt"))
			oomKillsBefore := oomKills(t, g)

			cmd := tc.start(t, g)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()

			if !killedBySIGKILL(err) {
				t.Fatalf("process ended with %v, want SIGKILL by the OOM killer (exit 137)\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
			}
			for _, c := range allControllers {
				if got, ok := cgroupLine(stdout.String(), c); !ok || got != g.Path(c) {
					t.Errorf("/proc/self/cgroup of the process: %s path %q (found %v), want %q\n%s", c, got, ok, g.Path(c), &stdout)
				}
			}
			if after := readUint(t, g.Read(t, "memory", "memory.failcnt")); after <= failcntBefore {
				t.Errorf("memory.failcnt = %d after the allocation, want > %d", after, failcntBefore)
			}
			if after := oomKills(t, g); after <= oomKillsBefore {
				t.Errorf("memory.oom_control oom_kill = %d after the allocation, want > %d", after, oomKillsBefore)
			}
		})
	}
}

// printCgroupThenAllocate is the helper role: it shows its cgroups, then
// touches every page of 100 MiB, which a 64 MiB group cannot hold.
func printCgroupThenAllocate() {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Stdout.Write(data)
	buf := make([]byte, allocation)
	for i := 0; i < len(buf); i += os.Getpagesize() {
		buf[i] = 1
	}
	fmt.Fprintf(os.Stderr, "allocated %d bytes without being killed\n", len(buf))
	os.Exit(3)
}

// TestCleanupRemovesEverything creates nested groups in every controller with
// running processes in the innermost one, including one that left the
// process group with setsid, and checks after the subtest's cleanup that every
// directory is gone and the started command was waited for.
func TestCleanupRemovesEverything(t *testing.T) {
	var dirs []string
	var cmd *exec.Cmd
	created := false
	t.Run("create", func(t *testing.T) {
		g := New(t, allControllers...)
		child := g.Child(t, "child")
		grandchild := child.Child(t, "grandchild")
		for _, grp := range []*Group{g, child, grandchild} {
			for _, c := range allControllers {
				dirs = append(dirs, grp.Dir(c))
				if _, err := os.Stat(grp.Dir(c)); err != nil {
					t.Fatalf("group directory not created: %v", err)
				}
			}
		}
		if want := g.Path("memory") + "/child/grandchild"; grandchild.Path("memory") != want {
			t.Errorf("grandchild memory path = %q, want %q", grandchild.Path("memory"), want)
		}
		cmd = grandchild.Command(t, "sh", "-c", "setsid sleep 300 & sleep 300 & wait")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitForProcs(t, grandchild, "pids", 3)
		created = true
	})
	if !created {
		if t.Failed() {
			return
		}
		t.Skip("the create subtest was skipped")
	}
	for _, d := range dirs {
		if _, err := os.Stat(d); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still exists after cleanup (stat: %v)", d, err)
		}
	}
	if cmd.ProcessState == nil {
		t.Error("the started command was not waited for at cleanup")
	}
}

// TestUnifiedGroupHoldsACommand creates a group and a grandchild in the
// unified hierarchy, runs a command in the grandchild that must see it in its
// "0::" line, and checks that cleanup removes both.
func TestUnifiedGroupHoldsACommand(t *testing.T) {
	var dirs []string
	t.Run("create", func(t *testing.T) {
		g := NewUnified(t)
		inner := g.Child(t, "a").Child(t, "b")
		dirs = []string{g.Dir(Unified), inner.Dir(Unified)}
		if want := g.Path(Unified) + "/a/b"; inner.Path(Unified) != want {
			t.Errorf("path = %q, want %q", inner.Path(Unified), want)
		}
		out, err := inner.Command(t, "cat", "/proc/self/cgroup").Output()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), "0::"+inner.Path(Unified)+"\n") {
			t.Errorf("the command is not in %s:\n%s", inner.Path(Unified), out)
		}
	})
	for _, d := range dirs {
		if _, err := os.Stat(d); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still exists after cleanup (stat: %v)", d, err)
		}
	}
}

// waitForProcs waits until controller's cgroup.procs of g lists at least n
// processes.
func waitForProcs(t *testing.T, g *Group, controller string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		procs := g.Procs(t, controller)
		if len(procs) >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s cgroup.procs = %v, want at least %d processes", controller, procs, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func killedBySIGKILL(err error) bool {
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		return false
	}
	ws, ok := exitErr.Sys().(syscall.WaitStatus)
	if !ok {
		return false
	}
	return (ws.Signaled() && ws.Signal() == syscall.SIGKILL) || (ws.Exited() && ws.ExitStatus() == 128+int(syscall.SIGKILL))
}

// cgroupLine returns the path of the /proc/<pid>/cgroup line whose
// controller list names controller.
func cgroupLine(procCgroup, controller string) (string, bool) {
	for line := range strings.Lines(procCgroup) {
		parts := strings.SplitN(strings.TrimSpace(line), ":", 3)
		if len(parts) == 3 && slices.Contains(strings.Split(parts[1], ","), controller) {
			return parts[2], true
		}
	}
	return "", false
}

// oomKills returns the oom_kill counter of the group's memory.oom_control.
func oomKills(t *testing.T, g *Group) uint64 {
	t.Helper()
	for line := range strings.Lines(g.Read(t, "memory", "memory.oom_control")) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "oom_kill "); ok {
			return readUint(t, v)
		}
	}
	t.Fatal("memory.oom_control has no oom_kill line")
	return 0
}

func readUint(t *testing.T, s string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return v
}

// TestMove starts a process in one group and moves it into a sibling in
// every hierarchy: the sibling's cgroup.procs lists it, the first group's no
// longer does, and /proc/<pid>/cgroup shows the sibling.
func TestMove(t *testing.T) {
	from := New(t, allControllers...)
	to := New(t, allControllers...)
	cmd := from.Command(t, "sleep", "300")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Until the wrapper has entered every controller's cgroup it may still
	// write its pid into one of from's after the move (seen for cpu and
	// cpuset under load).
	for _, c := range allControllers {
		waitForProcs(t, from, c, 1)
	}
	to.Move(t, cmd)
	pid := cmd.Process.Pid
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range allControllers {
		if !slices.Contains(to.Procs(t, c), pid) || slices.Contains(from.Procs(t, c), pid) {
			t.Errorf("%s: pid %d not moved: from %v, to %v", c, pid, from.Procs(t, c), to.Procs(t, c))
		}
		if got, _ := cgroupLine(string(data), c); got != to.Path(c) {
			t.Errorf("/proc/%d/cgroup: %s path %q, want %q", pid, c, got, to.Path(c))
		}
	}
}
