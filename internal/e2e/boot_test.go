//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/truelimit/truelimit/internal/e2e/probe"
)

// Markers the VM prints on its serial console besides the probe's result
// lines: the end of the scenario, and a setup command that failed.
const (
	markerDone        = "TRUELIMIT-DONE"
	markerSetupFailed = "TRUELIMIT-SETUP-FAILED"
)

// defaultBootTimeout bounds one boot. A boot takes 3 to 12 s; about one in
// 150 hangs silently, which the one retry absorbs.
const defaultBootTimeout = 60 * time.Second

// machine is how one VM is started.
type machine struct {
	kernel  string // "6.1" or "6.12"
	cmdline string // kernel parameters after the console ones
	smp     int    // vCPUs; 2 unless set
	memMB   int    // RAM; 512 unless set
	timeout time.Duration
	// attempts bounds the boots of a scenario; bootAttempts unless set. A
	// scenario whose boot takes minutes retries less, so that a hang cannot
	// cost the run more than the time it has.
	attempts int
}

// bootAttempts is how often a scenario may boot before it fails: about one
// boot in 150 hangs under TCG (REAL-KERNELS.md), and Debian's 6.12 kernel was
// seen to panic once in enqueue_task_fair during a fork in the cgroup
// namespace scenario; a third attempt keeps such a fluke from failing CI.
const bootAttempts = 3

// boot starts the VM with initrd, at most bootAttempts times, and returns the
// probe results of the first boot that reached the end of its scenario, by
// label. QEMU exits 0 after power-off whatever happened inside, so success is
// read from the serial console only.
func boot(t *testing.T, name string, m machine, initrd string) map[string]probe.Output {
	t.Helper()
	attempts := m.attempts
	if attempts == 0 {
		attempts = bootAttempts
	}
	for attempt := 1; attempt <= attempts; attempt++ {
		start := time.Now()
		serial, err := runQEMU(m, initrd)
		elapsed := time.Since(start)
		keepLog(t, name, attempt, serial)
		if bytes.Contains(serial, []byte(markerSetupFailed)) {
			t.Fatalf("%s: a setup command failed inside the VM:\n%s", name, tail(serial, 80))
		}
		if !bytes.Contains(serial, []byte(markerDone)) {
			t.Logf("%s: boot %d did not finish after %.1fs (%v); last lines:\n%s", name, attempt, elapsed.Seconds(), err, tail(serial, 30))
			continue
		}
		// A kernel message written into the middle of a result line garbles
		// it: that boot counts as failed too.
		results, err := parseResults(serial)
		if err != nil {
			t.Logf("%s: boot %d: %v", name, attempt, err)
			continue
		}
		recordTiming(name, m.kernel, attempt, elapsed)
		return results
	}
	t.Fatalf("%s: no boot reached the end of the scenario with readable results", name)
	return nil
}

// runQEMU boots once under software emulation and returns the serial log.
func runQEMU(m machine, initrd string) ([]byte, error) {
	smp, mem, timeout := m.smp, m.memMB, m.timeout
	if smp == 0 {
		smp = 2
	}
	if mem == 0 {
		mem = 512
	}
	if timeout == 0 {
		timeout = defaultBootTimeout
	}
	kernel, ok := vm.kernels[m.kernel]
	if !ok {
		return nil, fmt.Errorf("no kernel %q", m.kernel)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "qemu-system-x86_64",
		"-nographic", "-no-reboot", "-nic", "none", "-accel", "tcg",
		"-m", strconv.Itoa(mem), "-smp", strconv.Itoa(smp),
		"-kernel", kernel, "-initrd", initrd,
		"-append", strings.TrimSpace("console=ttyS0 panic=-1 quiet "+m.cmdline))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("timed out after %s", timeout)
	}
	return out.Bytes(), err
}

// parseResults reads every probe result line of a serial log. The console
// adds "\r" and may put kernel messages before the sentinel on the same line.
func parseResults(serial []byte) (map[string]probe.Output, error) {
	results := map[string]probe.Output{}
	for _, line := range strings.Split(string(serial), "\n") {
		_, rest, ok := strings.Cut(strings.TrimRight(line, "\r"), probe.Sentinel)
		if !ok {
			continue
		}
		var out probe.Output
		if err := json.Unmarshal([]byte(rest), &out); err != nil {
			return nil, fmt.Errorf("result line %.80q...: %v", rest, err)
		}
		if _, dup := results[out.Label]; dup {
			return nil, fmt.Errorf("two results labelled %q", out.Label)
		}
		results[out.Label] = out
	}
	return results, nil
}

func recordTiming(name, kernel string, attempts int, d time.Duration) {
	timings.Lock()
	defer timings.Unlock()
	timings.rows = append(timings.rows, fmt.Sprintf("%s\t%s\t%d\t%.1f\n", name, kernel, attempts, d.Seconds()))
}

// keepLog writes the serial log to TRUELIMIT_VM_LOGS, when set.
func keepLog(t *testing.T, name string, attempt int, serial []byte) {
	if vm.logs == "" {
		return
	}
	file := filepath.Join(vm.logs, fmt.Sprintf("%s.boot%d.log", name, attempt))
	if err := os.MkdirAll(vm.logs, 0o755); err != nil {
		t.Logf("keeping the serial log: %v", err)
		return
	}
	if err := os.WriteFile(file, serial, 0o644); err != nil {
		t.Logf("keeping the serial log: %v", err)
	}
}

// tail returns the last n lines of a serial log, without carriage returns.
func tail(serial []byte, n int) string {
	lines := strings.Split(strings.ReplaceAll(string(serial), "\r", ""), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
