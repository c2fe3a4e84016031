//go:build linux

package cgtest

import (
	"errors"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"
)

// removeTimeout bounds how long cleanup retries rmdir on a busy cgroup.
const removeTimeout = 10 * time.Second

// removeGroupDir removes a cgroup directory the harness created. rmdir fails
// with EBUSY while the cgroup still has tasks (or children); the tasks left
// are descendants of processes the harness started (only those were moved in,
// and children inherit their parent's cgroup), so they are killed by PID and
// the rmdir is retried until removeTimeout.
func removeGroupDir(t testing.TB, dir string) {
	t.Helper()
	deadline := time.Now().Add(removeTimeout)
	for {
		err := syscall.Rmdir(dir)
		if err == nil || errors.Is(err, syscall.ENOENT) {
			return
		}
		if !errors.Is(err, syscall.EBUSY) || time.Now().After(deadline) {
			pids, _ := readProcs(dir)
			t.Errorf("cgtest: cleanup: rmdir %s: %v (tasks left: %v)", dir, err, pids)
			return
		}
		killTasks(dir)
		time.Sleep(20 * time.Millisecond)
	}
}

// stopCommand kills a started, not yet waited-for command and its process
// group by PID and waits for it. A command already waited for is left alone:
// its PID may have been reused.
func stopCommand(t testing.TB, cmd *exec.Cmd) {
	t.Helper()
	if cmd.Process == nil || cmd.ProcessState != nil {
		return
	}
	pid := cmd.Process.Pid
	if attr := cmd.SysProcAttr; attr != nil && attr.Setpgid && attr.Pgid == 0 {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
	_ = cmd.Process.Kill()
	err := cmd.Wait()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) && !errors.Is(err, exec.ErrWaitDelay) {
		t.Errorf("cgtest: cleanup: wait for pid %d: %v", pid, err)
	}
}

// killTasks sends SIGKILL to every task of the cgroup dir. Each process is
// pinned first (os.FindProcess holds a pidfd on Linux) and signalled only if
// its PID is still listed in dir afterwards, so a PID reused by an unrelated
// process in between is never signalled.
func killTasks(dir string) {
	pids, err := readProcs(dir)
	if err != nil {
		return
	}
	for _, pid := range pids {
		p, err := os.FindProcess(pid)
		if err != nil {
			continue
		}
		if still, err := readProcs(dir); err == nil && slices.Contains(still, pid) {
			_ = p.Signal(syscall.SIGKILL)
		}
		_ = p.Release()
	}
}
