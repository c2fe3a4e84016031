//go:build linux

package limits_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/cgtest"
	"github.com/truelimit/truelimit/limits"
)

// requireLXCFS is set by scripts/test.sh, which installs Debian's lxcfs: a
// missing lxcfs then fails the test instead of skipping it.
const requireLXCFS = "TRUELIMIT_REQUIRE_LXCFS"

// TestRealKernelLXCFS runs a real LXCFS and, in a cgroup limited to 256 MiB,
// a copy of this test binary in a mount namespace of its own with LXCFS's
// meminfo bound on /proc/meminfo, as LXC does. Detect there takes LXCFS's
// MemTotal as a memory limit candidate: equal to what the walk finds when
// the memory hierarchy is visible (the walk's source stands), the answer
// when the hierarchy is not mounted at all.
func TestRealKernelLXCFS(t *testing.T) {
	if cgtest.IsHelper(t) {
		lxcfsHelper()
		return
	}
	const limit = 256 << 20
	g := cgtest.New(t, "memory")
	g.Set(t, "memory", "memory.limit_in_bytes", fmt.Sprint(limit))
	mnt := startLXCFS(t)

	for _, tt := range []struct {
		name       string
		hideMemory bool
		source     string
	}{
		{name: "memory hierarchy visible", source: g.Path("memory")},
		{name: "memory hierarchy not mounted", hideMemory: true, source: limits.SourceLXCFS},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := []string{"TRUELIMIT_LXCFS=" + mnt}
			if tt.hideMemory {
				env = append(env, "TRUELIMIT_LXCFS_HIDE=/sys/fs/cgroup/memory")
			}
			cmd := cgtest.HelperCommand(t, g, "TestRealKernelLXCFS", env...)
			cmd.SysProcAttr.Unshareflags = syscall.CLONE_NEWNS // Go makes / private in it
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			require.NoError(t, cmd.Run(), "stderr:\n%s", &stderr)
			got := strings.Fields(strings.SplitN(stdout.String(), "\n", 2)[0])
			require.Len(t, got, 5, "helper output: %q, stderr:\n%s", stdout.String(), &stderr)
			assert.Equal(t, []string{"limited", fmt.Sprint(limit), tt.source, "effective", fmt.Sprint(limit)}, got,
				"state, value, source, scope, host MemTotal")
		})
	}
}

// lxcfsHelper is the helper role: bind LXCFS's meminfo on /proc/meminfo,
// optionally unmount the memory hierarchy, then print Detect's memory limit
// (state, value, source, scope) and host MemTotal on one line.
func lxcfsHelper() {
	fail := func(what string, err error) {
		fmt.Fprintln(os.Stderr, what+":", err)
		os.Exit(2)
	}
	if err := syscall.Mount(filepath.Join(os.Getenv("TRUELIMIT_LXCFS"), "proc/meminfo"), "/proc/meminfo", "", syscall.MS_BIND, ""); err != nil {
		fail("bind LXCFS meminfo", err)
	}
	if hide := os.Getenv("TRUELIMIT_LXCFS_HIDE"); hide != "" {
		if err := syscall.Unmount(hide, syscall.MNT_DETACH); err != nil {
			fail("unmount "+hide, err)
		}
	}
	res, err := limits.Detect()
	if err != nil {
		fail("Detect", err)
	}
	l := res.Memory.Limit
	fmt.Println(l.State, l.Value, l.Source, l.Scope, res.Host.MemTotal)
}

// startLXCFS runs lxcfs in the foreground on a fresh directory and stops it
// (by PID) and unmounts that directory at cleanup.
func startLXCFS(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("lxcfs")
	if err != nil {
		if os.Getenv(requireLXCFS) != "" {
			t.Fatalf("lxcfs is not installed but %s is set: %v", requireLXCFS, err)
		}
		t.Skip("lxcfs is not installed (scripts/test.sh installs Debian's lxcfs)")
	}
	dir := t.TempDir()
	mnt := filepath.Join(dir, "mnt")
	require.NoError(t, os.Mkdir(mnt, 0o755))
	cmd := exec.Command(bin, "-f", "-p", filepath.Join(dir, "lxcfs.pid"), mnt)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.WaitDelay = 5 * time.Second
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if err := syscall.Unmount(mnt, syscall.MNT_DETACH); err != nil && !errors.Is(err, syscall.EINVAL) {
			t.Errorf("unmount %s: %v", mnt, err)
		}
	})
	// Wait (bounded) until the file system answers; this is readiness, not
	// a timing assertion.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(mnt, "proc/meminfo")); err == nil {
			return mnt
		}
		select {
		case err := <-done:
			t.Fatalf("lxcfs exited: %v\n%s", err, &log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("lxcfs did not mount %s within 30 s:\n%s", mnt, &log)
		}
	}
}
