//go:build linux

package limits_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/cgtest"
	"github.com/truelimit/truelimit/limits"
)

// holdEnv tells the helper of TestRealKernelHeadroom how many MiB to hold.
const holdEnv = "TRUELIMIT_HOLD_MIB"

// TestRealKernelHeadroom puts two helpers in sibling children of a 256 MiB
// v1 memory cgroup, one holding 150 MiB and the other 40 MiB, and reads the
// first from outside with ForPIDUsage. The headroom is the
// parent's limit minus the parent's own usage, which includes the sibling:
// between 256 MiB minus the parent's memory.usage_in_bytes read just after
// the call and the same read just before it, with the parent as its source;
// and since the sibling uses more than a tenth of the limit, shared-limit.
func TestRealKernelHeadroom(t *testing.T) {
	if cgtest.IsHelper(t) {
		holdMemory()
		return
	}
	const limit = 256 << 20
	parent := cgtest.New(t, "memory")
	parent.Set(t, "memory", "memory.limit_in_bytes", strconv.Itoa(limit))
	first := parent.Child(t, "first")
	second := parent.Child(t, "second")

	start := func(g *cgtest.Group, mib int) int {
		pid, _ := startHelper(t, cgtest.HelperCommand(t, g, t.Name(), holdEnv+"="+strconv.Itoa(mib)), "holding")
		return pid
	}
	pid := start(first, 150)
	start(second, 40)

	usage := func() uint64 {
		v, err := strconv.ParseUint(strings.TrimSpace(parent.Read(t, "memory", "memory.usage_in_bytes")), 10, 64)
		require.NoError(t, err)
		return v
	}
	before := usage()
	res, u, err := limits.ForPIDUsage(pid)
	after := usage()
	require.NoError(t, err)
	h := u.Memory.Headroom
	require.True(t, h.Known, "%+v", u.Memory)
	assert.Equal(t, parent.Path("memory"), h.Source, "the parent binds: its usage holds the sibling's")
	lo, hi := uint64(limit)-min(limit, max(before, after)), uint64(limit)-min(limit, min(before, after))
	assert.GreaterOrEqual(t, h.Bytes, lo, "before %d after %d", before, after)
	assert.LessOrEqual(t, h.Bytes, hi, "before %d after %d", before, after)
	assert.GreaterOrEqual(t, u.Memory.Current.Value, uint64(150<<20), "the first helper's own usage")
	assert.True(t, res.Has(limits.CodeSharedLimit), "the sibling uses 40 MiB of 256: %v", res.Diagnostics)
	require.NotNil(t, u.Memory.LimitEvents)
	assert.Equal(t, parent.Path("memory"), u.Memory.LimitEvents.Source)
}

// holdMemory is the helper role: touch the MiB asked for, say so, and hold
// them until standard input closes.
func holdMemory() {
	mib, err := strconv.Atoi(os.Getenv(holdEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad", holdEnv, err)
		os.Exit(2)
	}
	held := make([]byte, mib<<20)
	for i := range held {
		if i%4096 == 0 {
			held[i] = 1
		}
	}
	fmt.Println("holding")
	_, _ = io.Copy(io.Discard, os.Stdin)
	runtime.KeepAlive(held)
}

// startHelper starts cmd, a cgtest.HelperCommand, and waits for its first
// line, which must be ready; the rest of its output is discarded. It returns
// the helper's PID and standard input. At cleanup standard input is closed,
// which ends every helper role of this file, and the helper is waited for.
func startHelper(t *testing.T, cmd *exec.Cmd, ready string) (int, io.Writer) {
	t.Helper()
	pid, stdin, stdout := startHelperLines(t, cmd, ready)
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return pid, stdin
}

// startHelperLines is startHelper leaving the rest of the helper's output
// to the caller.
func startHelperLines(t *testing.T, cmd *exec.Cmd, ready string) (int, io.WriteCloser, *bufio.Reader) {
	t.Helper()
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { stdin.Close(); _ = cmd.Wait() })
	lines := bufio.NewReader(stdout)
	line, err := lines.ReadString('\n')
	require.NoError(t, err, "the helper ended before saying %q", ready)
	require.Equal(t, ready+"\n", line)
	return cmd.Process.Pid, stdin, lines
}

// exitWhenClosed ends the helper process once r, the rest of its standard
// input, reaches its end: when the test closes it at cleanup.
func exitWhenClosed(r io.Reader) {
	go func() {
		_, _ = io.Copy(io.Discard, r)
		os.Exit(0)
	}()
}

// flatKeyed reads a flat keyed file of g ("key value" lines: cpu.stat,
// memory.oom_control).
func flatKeyed(t *testing.T, g *cgtest.Group, controller, file string) map[string]uint64 {
	t.Helper()
	m := map[string]uint64{}
	for line := range strings.Lines(g.Read(t, controller, file)) {
		key, value, ok := strings.Cut(strings.TrimSpace(line), " ")
		require.True(t, ok, "%s: line %q", file, line)
		m[key] = parseUint(t, value)
	}
	return m
}

// readUint reads a file of g that holds one number.
func readUint(t *testing.T, g *cgtest.Group, controller, file string) uint64 {
	t.Helper()
	return parseUint(t, g.Read(t, controller, file))
}

func parseUint(t *testing.T, s string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(s, 10, 64)
	require.NoError(t, err)
	return v
}

// cgroupOf returns the cgroup of pid in controller's hierarchy from
// /proc/<pid>/cgroup: the line whose controller list names it, or the "0::"
// line for controller "".
func cgroupOf(t *testing.T, pid int, controller string) string {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	require.NoError(t, err)
	for line := range strings.Lines(string(data)) {
		parts := strings.SplitN(strings.TrimSpace(line), ":", 3)
		// The "0::" line's controller list is empty: it names "".
		if len(parts) == 3 && slices.Contains(strings.Split(parts[1], ","), controller) {
			return parts[2]
		}
	}
	require.Failf(t, "no cgroup line", "/proc/%d/cgroup has no line for %q:\n%s", pid, controller, data)
	return ""
}

// v1MemoryEvents reads the files behind the MemoryEvents of a v1 memory
// cgroup: memory.failcnt is max, memory.oom_control's oom_kill (4.13+) is
// oom_kill, known only where the kernel prints it; v1 has no high or oom.
func v1MemoryEvents(t *testing.T, g *cgtest.Group) limits.MemoryEvents {
	t.Helper()
	kill, printed := flatKeyed(t, g, "memory", "memory.oom_control")["oom_kill"]
	return limits.MemoryEvents{
		Max:     limits.Count{Value: readUint(t, g, "memory", "memory.failcnt"), Known: true},
		OOMKill: limits.Count{Value: kill, Known: printed},
	}
}

// limitMemory sets the v1 memory limit of g, and where swap is accounted
// caps memory+swap 16 MiB above it: swap cannot save a process, yet
// memory.limit_in_bytes is the counter that fails first. At equal limits
// the memsw counter, charged first, fails instead, and on the measured
// 6.18 kernel neither memory.failcnt nor memory.memsw.failcnt counts that.
func limitMemory(t *testing.T, g *cgtest.Group, limit int) {
	t.Helper()
	g.Set(t, "memory", "memory.limit_in_bytes", strconv.Itoa(limit))
	if _, err := os.Stat(filepath.Join(g.Dir("memory"), "memory.memsw.limit_in_bytes")); err == nil {
		g.Set(t, "memory", "memory.memsw.limit_in_bytes", strconv.Itoa(limit+16<<20))
	}
}

// TestRealKernelMemoryEvents gets a helper OOM-killed in the child (leaf) of
// a 64 MiB v1 memory cgroup (memory+swap capped too, so swap cannot save
// it), then asks about the leaf, through a second helper started in it
// afterwards and through the leaf's path. v1 counts each event in one
// cgroup only, which the test first checks on the files: the limit that
// failed is the parent's, so only the parent's memory.failcnt grows; the
// victim's cgroup is the leaf, so only the leaf's oom_kill is 1. The
// library must report exactly those files: Events the leaf's, LimitEvents
// the parent's with the parent as source.
func TestRealKernelMemoryEvents(t *testing.T) {
	if cgtest.IsHelper(t) {
		holdMemory()
		return
	}
	const (
		limit      = 64 << 20
		allocation = 128 // MiB
	)
	parent := cgtest.New(t, "memory")
	limitMemory(t, parent, limit)
	leaf := parent.Child(t, "leaf")

	oom := cgtest.HelperCommand(t, leaf, t.Name(), holdEnv+"="+strconv.Itoa(allocation))
	var stderr bytes.Buffer
	oom.Stderr = &stderr
	err := oom.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "touching %d MiB in a %d MiB cgroup must end in the OOM killer; stderr:\n%s", allocation, limit>>20, &stderr)
	status, ok := exit.Sys().(syscall.WaitStatus)
	require.True(t, ok && status.Signaled() && status.Signal() == syscall.SIGKILL, "%v; stderr:\n%s", err, &stderr)

	// The kernel facts, on the files.
	leafEvents, parentEvents := v1MemoryEvents(t, leaf), v1MemoryEvents(t, parent)
	require.Zero(t, leafEvents.Max.Value, "the leaf's own counter never failed: it has no limit")
	require.Positive(t, parentEvents.Max.Value, "the parent's limit failed the charges")
	if leafEvents.OOMKill.Known {
		require.Equal(t, uint64(1), leafEvents.OOMKill.Value, "the victim's cgroup counts the kill")
		require.Zero(t, parentEvents.OOMKill.Value, "v1 does not propagate oom_kill to the limiting parent")
	} else {
		t.Log("memory.oom_control prints no oom_kill (before 4.13): OOMKill must be unknown")
	}

	t.Logf("after the kill: leaf %+v, parent %+v", leafEvents, parentEvents)

	pid, _ := startHelper(t, cgtest.HelperCommand(t, leaf, t.Name(), holdEnv+"=1"), "holding")
	cases := []struct {
		name string
		read func() (limits.Result, limits.Usage, error)
	}{
		{"ForPIDUsage of a process in the leaf", func() (limits.Result, limits.Usage, error) {
			return limits.ForPIDUsage(pid)
		}},
		{"ForCgroupUsage of the leaf's path", func() (limits.Result, limits.Usage, error) {
			return limits.ForCgroupUsage(leaf.Path("memory"), limits.FormCgroupfs)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			leafBefore, parentBefore := v1MemoryEvents(t, leaf), v1MemoryEvents(t, parent)
			res, u, err := tc.read()
			leafAfter, parentAfter := v1MemoryEvents(t, leaf), v1MemoryEvents(t, parent)
			require.NoError(t, err)
			require.Equal(t, leafBefore, leafAfter, "nothing happens in the leaf during the call")
			require.Equal(t, parentBefore, parentAfter, "nothing happens in the parent during the call")
			require.Equal(t, leafEvents, leafAfter, "the events are those of the kill")
			require.Equal(t, parentEvents, parentAfter, "the events are those of the kill")

			assert.Equal(t, parent.Path("memory"), res.Memory.Limit.Source)
			assert.Equal(t, leafAfter, u.Memory.Events, "the leaf's own failcnt and oom_kill")
			require.NotNil(t, u.Memory.LimitEvents, "the parent sets the limit")
			assert.Equal(t, limits.LimitEvents{Source: parent.Path("memory"), MemoryEvents: parentAfter}, *u.Memory.LimitEvents,
				"the parent's own failcnt and oom_kill")
		})
	}
}

// TestRealKernelThrottling runs a busy loop in the child (leaf) of a v1 cpu
// cgroup limited to 0.2 CPU (cfs_quota_us 20000 per 100000), created in the
// cpuacct hierarchy too (co-mounted with cpu or, as on the measured host, a
// hierarchy of its own), and waits, by the parent's cpu.stat, until the
// parent has throttled it. ForPIDUsage of the loop must then report the
// parent's cpu.stat counters, each between the values read just before and
// just after the call, with the parent as source, and the leaf's own
// cpuacct.usage as UsageUsec, between the same two reads.
func TestRealKernelThrottling(t *testing.T) {
	if cgtest.IsHelper(t) {
		spin()
		return
	}
	parent := cgtest.New(t, "cpu", "cpuacct")
	parent.Set(t, "cpu", "cpu.cfs_period_us", "100000")
	parent.Set(t, "cpu", "cpu.cfs_quota_us", "20000")
	leaf := parent.Child(t, "leaf")
	pid, _ := startHelper(t, cgtest.HelperCommand(t, leaf, t.Name()), "spinning")

	for _, c := range []string{"cpu", "cpuacct"} {
		assert.Equal(t, leaf.Path(c), cgroupOf(t, pid, c), "the helper is in the leaf of the %s hierarchy", c)
	}
	stat := func() map[string]uint64 { return flatKeyed(t, parent, "cpu", "cpu.stat") }
	require.True(t, eventually(t, 20*time.Second, func() bool { return stat()["nr_throttled"] > 0 }),
		"the parent throttles a busy loop at 0.2 CPU within 20 s: cpu.stat %v", stat())

	statBefore, usageBefore := stat(), readUint(t, leaf, "cpuacct", "cpuacct.usage")
	res, u, err := limits.ForPIDUsage(pid)
	statAfter, usageAfter := stat(), readUint(t, leaf, "cpuacct", "cpuacct.usage")
	require.NoError(t, err)

	assert.Equal(t, limits.CPULimit{State: limits.Limited, Scope: res.CPU.Limit.Scope, Quota: 20000, Period: 100000, Source: parent.Path("cpu")},
		res.CPU.Limit)
	within := func(what string, got limits.Count, before, after uint64) {
		t.Helper()
		if assert.True(t, got.Known, what) {
			assert.GreaterOrEqual(t, got.Value, before, what)
			assert.LessOrEqual(t, got.Value, after, what)
		}
	}
	within("the leaf's cpuacct.usage in µs", u.CPU.UsageUsec, usageBefore/1000, usageAfter/1000)
	assert.Positive(t, u.CPU.UsageUsec.Value, "the loop has run")
	th := u.CPU.Throttling
	require.NotNil(t, th, "the CPU is limited")
	assert.Equal(t, parent.Path("cpu"), th.Source)
	for _, c := range []struct {
		name string
		got  limits.Count
		key  string
		unit uint64 // the file's unit per reported unit
	}{
		{"Periods", th.Periods, "nr_periods", 1},
		{"ThrottledPeriods", th.ThrottledPeriods, "nr_throttled", 1},
		{"ThrottledUsec", th.ThrottledUsec, "throttled_time", 1000},
	} {
		within(c.name+" (cpu.stat "+c.key+")", c.got, statBefore[c.key]/c.unit, statAfter[c.key]/c.unit)
	}
	assert.Positive(t, th.ThrottledPeriods.Value)
	t.Logf("usage %d µs, throttling %+v; parent cpu.stat before %v, after %v", u.CPU.UsageUsec.Value, *th, statBefore, statAfter)
	assert.GreaterOrEqual(t, th.Periods.Value, th.ThrottledPeriods.Value)
}

// spin is the helper role of TestRealKernelThrottling: say so, then keep one
// CPU busy until standard input closes.
func spin() {
	exitWhenClosed(os.Stdin)
	fmt.Println("spinning")
	for n := uint64(0); ; n++ {
		spinSink.Store(n)
	}
}

var spinSink atomic.Uint64

// rereadEnv names the file the helper of TestRealKernelPressure re-reads.
const rereadEnv = "TRUELIMIT_REREAD_FILE"

// TestRealKernelPressure puts a helper in a 32 MiB v1 memory cgroup and in a
// child of this process's cgroup2 (unified) cgroup, where PSI is tracked
// whatever the controllers, and has it re-read a 64 MiB file from a disk
// filesystem in a loop: its page cache cannot fit, so every pass charges
// the v1 limit and stalls in reclaim, and memory.pressure grows. Once it
// has grown, ForPIDUsage of the helper must report the unified cgroup's
// memory.pressure, cpu.pressure and io.pressure, each total between the
// values read from the file just before and just after the call.
func TestRealKernelPressure(t *testing.T) {
	if cgtest.IsHelper(t) {
		reread()
		return
	}
	const limit, size = 32 << 20, 64 << 20
	mem := cgtest.New(t, "memory")
	limitMemory(t, mem, limit)
	unified := cgtest.NewUnified(t)
	if _, err := os.Stat(filepath.Join(unified.Dir(cgtest.Unified), "memory.pressure")); err != nil {
		t.Skipf("no PSI in the unified hierarchy: %v", err)
	}
	file := diskFile(t, size)

	cmd := cgtest.HelperCommand(t, mem, t.Name(), rereadEnv+"="+file)
	pid, stdin := startHelper(t, cmd, "ready")
	unified.Move(t, cmd)
	require.Equal(t, unified.Path(cgtest.Unified), cgroupOf(t, pid, ""), "PSI is tracked in the helper's cgroup2 cgroup")
	require.Equal(t, mem.Path("memory"), cgroupOf(t, pid, "memory"))

	_, err := io.WriteString(stdin, "go\n")
	require.NoError(t, err)
	// Refaults of pages evicted from this process's cgroup may stall the
	// helper before its own limit is reached: wait for the limit first, then
	// for a stall after it.
	require.True(t, eventually(t, 20*time.Second, func() bool { return readUint(t, mem, "memory", "memory.failcnt") > 0 }),
		"re-reading %d MiB reaches the %d MiB limit within 20 s: memory.usage_in_bytes %s",
		size>>20, limit>>20, mem.Read(t, "memory", "memory.usage_in_bytes"))
	start := psiTotals(t, unified, "memory.pressure")["some"]
	require.True(t, eventually(t, 20*time.Second, func() bool { return psiTotals(t, unified, "memory.pressure")["some"] > start }),
		"reclaim at the limit stalls the helper within 20 s: memory.pressure %s, memory.failcnt %s",
		unified.Read(t, cgtest.Unified, "memory.pressure"), mem.Read(t, "memory", "memory.failcnt"))

	files := []string{"memory.pressure", "cpu.pressure", "io.pressure"}
	before := make(map[string]map[string]uint64, len(files))
	for _, f := range files {
		before[f] = psiTotals(t, unified, f)
	}
	_, u, err := limits.ForPIDUsage(pid)
	after := make(map[string]map[string]uint64, len(files))
	for _, f := range files {
		after[f] = psiTotals(t, unified, f)
	}
	require.NoError(t, err)

	for _, c := range []struct {
		file string
		got  *limits.Pressure
	}{
		{"memory.pressure", u.Pressure.Memory},
		{"cpu.pressure", u.Pressure.CPU},
		{"io.pressure", u.Pressure.IO},
	} {
		b, a := before[c.file], after[c.file]
		if !assert.NotNil(t, c.got, c.file) {
			continue
		}
		assert.GreaterOrEqual(t, c.got.Some.TotalUsec, b["some"], c.file+" some")
		assert.LessOrEqual(t, c.got.Some.TotalUsec, a["some"], c.file+" some")
		_, full := a["full"]
		if assert.Equal(t, full, c.got.Full != nil, "%s: full reported as the kernel prints it", c.file) && full {
			assert.GreaterOrEqual(t, c.got.Full.TotalUsec, b["full"], c.file+" full")
			assert.LessOrEqual(t, c.got.Full.TotalUsec, a["full"], c.file+" full")
		}
	}
	if u.Pressure.Memory != nil {
		assert.Positive(t, u.Pressure.Memory.Some.TotalUsec, "the helper stalled on memory")
		t.Logf("memory.pressure some total %d µs, within %v and %v", u.Pressure.Memory.Some.TotalUsec, before["memory.pressure"], after["memory.pressure"])
	}
}

// diskFile creates a file of size bytes on a disk filesystem and drops it
// from the page cache, so that no page of it is charged to this process's
// cgroup and every page the helper reads is charged to the helper's. It is
// made in /var/tmp, which is on disk (ext4 on the measured host); the test
// is skipped where it is tmpfs or ramfs, whose pages never leave memory.
func diskFile(t *testing.T, size int) string {
	t.Helper()
	const dir = "/var/tmp"
	var fs unix.Statfs_t
	require.NoError(t, unix.Statfs(dir, &fs))
	// Type is int32 on 32-bit platforms; the magic numbers are uint32.
	if kind := uint32(fs.Type); kind == unix.TMPFS_MAGIC || kind == unix.RAMFS_MAGIC {
		t.Skipf("%s is in memory (statfs type %#x): its pages cannot be refaulted from disk", dir, fs.Type)
	}
	f, err := os.CreateTemp(dir, "truelimit-pressure-*")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.Remove(f.Name()) })
	defer f.Close()
	chunk := bytes.Repeat([]byte{0xa5}, 1<<20)
	for written := 0; written < size; written += len(chunk) {
		_, err := f.Write(chunk)
		require.NoError(t, err)
	}
	require.NoError(t, f.Sync())
	require.NoError(t, unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED))
	return f.Name()
}

// psiTotals reads the total= of each line (some, full) of a PSI file of g.
func psiTotals(t *testing.T, g *cgtest.Group, file string) map[string]uint64 {
	t.Helper()
	totals := map[string]uint64{}
	for line := range strings.Lines(g.Read(t, cgtest.Unified, file)) {
		fields := strings.Fields(line)
		require.NotEmpty(t, fields, "%s: empty line", file)
		total, ok := strings.CutPrefix(fields[len(fields)-1], "total=")
		require.True(t, ok, "%s: line %q", file, line)
		totals[fields[0]] = parseUint(t, total)
	}
	return totals
}

// reread is the helper role of TestRealKernelPressure: say it is ready, wait
// for a line (the test moves it meanwhile), then read the file named by
// rereadEnv from start to end over and over until standard input closes.
func reread() {
	in := bufio.NewReader(os.Stdin)
	fmt.Println("ready")
	if _, err := in.ReadString('\n'); err != nil {
		os.Exit(0)
	}
	exitWhenClosed(in)
	f, err := os.Open(os.Getenv(rereadEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	buf := make([]byte, 1<<20)
	for {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		for {
			if _, err := f.Read(buf); err == io.EOF {
				break
			} else if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
		}
	}
}

// sharedRoleEnv makes the helper of TestRealKernelSharedPolicy set
// GOMEMLIMIT with the shared-limit policy instead of holding memory: "option"
// turns the policy on with WithSharedMemoryLimit, "env" with
// TRUELIMIT_MEMORY_SHARED=1.
const sharedRoleEnv = "TRUELIMIT_SHARED_SETTER"

// TestRealKernelSharedPolicy puts a helper that sets GOMEMLIMIT with the
// shared-limit policy (refreshing every 20 ms) in a child of a 256 MiB v1
// memory cgroup, and in a sibling child a second helper that holds 100 MiB,
// then exits. After each change the setter reports GOMEMLIMIT once two more
// refresh ticks have ended (counted by limits.OnTick, not timed): the budget
// follows the sibling down by its 100 MiB and back up when it is released,
// each time to within the dead-band. The policy is turned on by the option,
// then by the environment.
func TestRealKernelSharedPolicy(t *testing.T) {
	for _, way := range []string{"option", "env"} {
		t.Run(way, func(t *testing.T) { testRealKernelSharedPolicy(t, way) })
	}
}

func testRealKernelSharedPolicy(t *testing.T, way string) {
	if cgtest.IsHelper(t) {
		if role := os.Getenv(sharedRoleEnv); role != "" {
			reportSharedLimit(role == "option")
		} else {
			holdMemory()
		}
		return
	}
	const limit = 256 << 20
	parent := cgtest.New(t, "memory")
	parent.Set(t, "memory", "memory.limit_in_bytes", strconv.Itoa(limit))
	own, sibling := parent.Child(t, "own"), parent.Child(t, "sibling")

	env := []string{sharedRoleEnv + "=" + way, "TRUELIMIT_MEMORY_SHARED="}
	if way == "env" {
		env[1] += "1"
	}
	_, stdin, lines := startHelperLines(t, cgtest.HelperCommand(t, own, t.Name(), env...), "ready")
	check := func() uint64 {
		t.Helper()
		_, err := io.WriteString(stdin, "check\n")
		require.NoError(t, err)
		line, err := lines.ReadString('\n')
		require.NoError(t, err, "the setter ended")
		return parseUint(t, strings.TrimSpace(line))
	}
	budget := func(v uint64) uint64 { return uint64(float64(v) / limits.DefaultMemoryRatio) }

	alone := budget(check())
	holder := cgtest.HelperCommand(t, sibling, t.Name(), holdEnv+"=100")
	_, holderStdin := startHelper(t, holder, "holding")
	held := budget(check())
	require.NoError(t, holderStdin.(io.Closer).Close())
	require.NoError(t, holder.Wait())
	released := budget(check())

	// The sibling's usage grows over a few ticks, and the budget moves only
	// by the dead-band (16 MiB) or more: it ends within 16 MiB of limit
	// less the sibling's 100 MiB and its runtime's few.
	t.Logf("budget alone %d, with the sibling holding 100 MiB %d, after it exited %d", alone, held, released)
	assert.Greater(t, alone, uint64(limit-40<<20), "the others use little at first")
	assert.LessOrEqual(t, held, uint64(limit-(100-16)<<20), "the sibling's 100 MiB are left out, within the dead-band")
	assert.Greater(t, held, uint64(limit-140<<20), "and little more")
	assert.Greater(t, released, uint64(limit-40<<20), "released: the budget follows it back up")
}

// reportSharedLimit is the setter role of TestRealKernelSharedPolicy: set
// GOMEMLIMIT with the shared-limit policy (with option, WithSharedMemoryLimit;
// otherwise the environment turns it on), then for every line read print
// GOMEMLIMIT once two more refresh ticks have ended.
func reportSharedLimit(option bool) {
	var ticks atomic.Int64
	stop := limits.OnTick(func(bool) { ticks.Add(1) })
	defer stop()
	opts := []limits.MemoryOption{limits.WithRefresh(20 * time.Millisecond)}
	if option {
		opts = append(opts, limits.WithSharedMemoryLimit())
	}
	s, undo, err := limits.SetGoMemLimit(opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "setter:", err)
		os.Exit(2)
	}
	defer undo()
	if !strings.Contains(s.Reason, "shared-limit policy") {
		fmt.Fprintln(os.Stderr, "setter: the policy is off:", s.Reason)
		os.Exit(2)
	}
	fmt.Println("ready")
	for s := bufio.NewScanner(os.Stdin); s.Scan(); {
		from := ticks.Load()
		for ticks.Load() < from+2 {
			time.Sleep(time.Millisecond)
		}
		fmt.Println(debug.SetMemoryLimit(-1))
	}
}
