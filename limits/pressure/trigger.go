package pressure

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// The kernel's limits on a PSI trigger's window (kernel/sched/psi.c:
// WINDOW_MIN_US, WINDOW_MAX_US) and the step an unprivileged window must be
// a multiple of (the 2 s averaging period, psi_trigger_create since 6.5).
const (
	minWindow          = 500 * time.Millisecond
	maxWindow          = 10 * time.Second
	unprivilegedWindow = 2 * time.Second
)

// capSysResource is CAP_SYS_RESOURCE's bit in /proc/<pid>/status CapEff
// (linux/capability.h).
const capSysResource = 24

// trigger is a PSI trigger to write: "some <stall µs> <window µs>", and how
// its window was chosen.
type trigger struct {
	stall, window time.Duration
	how           string
}

// line is the trigger as written to a PSI file
// (Documentation/accounting/psi.rst: "<some|full> <stall amount in us>
// <time window in us>").
func (t trigger) line() string {
	return "some " + strconv.FormatInt(t.stall.Microseconds(), 10) + " " + strconv.FormatInt(t.window.Microseconds(), 10)
}

// newTrigger clamps window to the kernel's range and, when privileged is
// false, rounds it up to a multiple of 2 s; stall is clamped to the window.
// how says what was changed.
func newTrigger(stall, window time.Duration, privileged bool) trigger {
	t := trigger{stall: stall, window: window}
	t.window = min(max(t.window, minWindow), maxWindow)
	if !privileged && t.window%unprivilegedWindow != 0 {
		t.window = (t.window/unprivilegedWindow + 1) * unprivilegedWindow
	}
	t.stall = min(max(t.stall, time.Microsecond), t.window)
	t.how = "trigger " + t.line()
	if t.window != window {
		why := "the kernel's range is 500ms to 10s"
		if !privileged && min(max(window, minWindow), maxWindow) != t.window {
			why = "no CAP_SYS_RESOURCE: the window must be a multiple of 2s"
		}
		t.how += fmt.Sprintf(" (window rounded from %v to %v: %s)", window, t.window, why)
	}
	return t
}

// rounded is t with its window rounded up to a multiple of 2 s, for a
// kernel that refused it with EINVAL although CapEff showed
// CAP_SYS_RESOURCE (a user namespace's capability does not count).
func (t trigger) rounded() (trigger, bool) {
	if t.window%unprivilegedWindow == 0 {
		return t, false
	}
	r := newTrigger(t.stall, t.window, false)
	r.how = "trigger " + r.line() + fmt.Sprintf(" (window rounded from %v to %v: the kernel refused it with EINVAL)", t.window, r.window)
	return r, true
}

var errNoCapEff = errors.New("no CapEff line")

// hasCapability reports whether the CapEff line of a /proc/<pid>/status
// (proc(5): a hexadecimal mask of the effective capabilities) has bit set.
func hasCapability(status []byte, bit uint) (bool, error) {
	for rest := status; len(rest) > 0; {
		line, after, _ := bytes.Cut(rest, []byte{'\n'})
		rest = after
		v, ok := bytes.CutPrefix(line, []byte("CapEff:"))
		if !ok {
			continue
		}
		mask, err := strconv.ParseUint(string(bytes.TrimSpace(v)), 16, 64)
		if err != nil {
			return false, fmt.Errorf("CapEff %q: %w", bytes.TrimSpace(v), err)
		}
		return bit < 64 && mask&(1<<bit) != 0, nil
	}
	return false, errNoCapEff
}

// decodeWrite decodes $MEMORY_PRESSURE_WRITE: base64 (standard alphabet,
// padded), any bytes.
func decodeWrite(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("$MEMORY_PRESSURE_WRITE is not base64: %w", err)
	}
	return b, nil
}

// stalledEnough reports whether a stall of delta over elapsed is at least
// the share stall/window: delta × window ≥ stall × elapsed, in µs (the
// products fit in 64 bits while delta and elapsed stay below 20 days).
func stalledEnough(delta uint64, elapsed, stall, window time.Duration) bool {
	if elapsed <= 0 || window <= 0 {
		return false
	}
	return delta*uint64(window.Microseconds()) >= uint64(stall.Microseconds())*uint64(elapsed.Microseconds())
}
