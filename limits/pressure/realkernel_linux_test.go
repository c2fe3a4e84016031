package pressure

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/truelimit/truelimit/internal/cgtest"
)

// The real-kernel tests run a helper (this test binary again, in the role
// of the test that started it) in cgroups the test creates; the helper
// watches its own cgroups and prints what it saw as JSON lines: its
// sources first, then its events.
const (
	envSources  = "PRESSURE_TEST_SOURCES"
	envWindow   = "PRESSURE_TEST_WINDOW"
	envLevel    = "PRESSURE_TEST_LEVEL"
	envFile     = "PRESSURE_TEST_FILE"
	envWant     = "PRESSURE_TEST_WANT" // kinds to wait for, comma separated
	envReadOnly = "PRESSURE_TEST_READONLY"
	envHog      = "PRESSURE_TEST_HOG"
	envMoved    = "PRESSURE_TEST_MOVED"
	envHeadroom = "PRESSURE_TEST_HEADROOM"
)

// report is one line a helper prints.
type report struct {
	Sources []Setup
	Event   *Event
	Start   time.Time // when the load started
	Err     string
}

// stallGroup makes the cgroups of a stalling helper: a v1 memory child of
// 32 MiB and a child of the test's own cgroup2 cgroup, joined, and a
// 64 MiB file on a disk filesystem (twice the limit) out of the page cache,
// so that the helper's re-reads reclaim its own cache over and over.
func stallGroup(t *testing.T) (mem, uni, both *cgtest.Group, file string) {
	mem, uni = memoryGroup(t, 32<<20), cgtest.NewUnified(t)
	return mem, uni, cgtest.Join(mem, uni), diskFile(t, 64<<20)
}

// memoryGroup is a v1 memory cgroup with a limit of limit bytes.
func memoryGroup(t *testing.T, limit int) *cgtest.Group {
	g := cgtest.New(t, "memory")
	g.Set(t, "memory", "memory.limit_in_bytes", strconv.Itoa(limit))
	return g
}

// diskFile writes n random bytes to a file on a disk filesystem (not tmpfs,
// whose pages cannot be reclaimed without swap) and drops them from the
// page cache.
func diskFile(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	var fs unix.Statfs_t
	require.NoError(t, unix.Statfs(dir, &fs))
	if uint32(fs.Type) == unix.TMPFS_MAGIC {
		if dir = os.Getenv("PRESSURE_TEST_DISK_DIR"); dir == "" {
			t.Skipf("%s is tmpfs; set PRESSURE_TEST_DISK_DIR to a directory on a disk", t.TempDir())
		}
		dir = t.TempDir()
	}
	path := filepath.Join(dir, "stall.dat")
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	_, err = io.CopyN(f, rand.Reader, int64(n))
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	require.NoError(t, unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED))
	return path
}

// runHelper starts cmd (with start, or cmd.Start when nil), reads its
// report lines until it exits or timeout, and returns them.
func runHelper(t *testing.T, cmd *exec.Cmd, timeout time.Duration, start func(*testing.T, *exec.Cmd)) []report {
	t.Helper()
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if start == nil {
		require.NoError(t, cmd.Start())
	} else {
		start(t, cmd)
	}
	var reports []report
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var r report
			if json.Unmarshal(sc.Bytes(), &r) == nil {
				reports = append(reports, r)
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(timeout):
		_ = cmd.Process.Kill()
		<-done
	}
	err = cmd.Wait()
	t.Logf("helper stderr: %s", stderr.String())
	require.NoError(t, err, "helper")
	require.NotEmpty(t, reports, "the helper printed nothing")
	require.Empty(t, reports[0].Err, "helper")
	return reports
}

// printReport prints one report line.
func printReport(r report) {
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
}

// helperWatch is the helper's side: it watches with the options the
// environment names, starts the load (re-reading envFile with two readers,
// or a hog process), and prints the events until it has seen every kind
// of envWant or 30 s passed.
func helperWatch() {
	if os.Getenv(envReadOnly) != "" {
		if err := readOnlyCgroupfs(); err != nil {
			printReport(report{Err: err.Error()})
			return
		}
	}
	if ready := os.Getenv(envMoved); ready != "" {
		// Say it is up, then wait until the test has moved this process:
		// what it charged so far stays with the cgroup it started in.
		if err := os.WriteFile(ready, nil, 0o600); err != nil {
			printReport(report{Err: err.Error()})
			return
		}
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	}
	src, _ := strconv.ParseUint(os.Getenv(envSources), 10, 16)
	window, _ := time.ParseDuration(os.Getenv(envWindow))
	opts := []Option{WithSources(Source(src)), WithInterval(250 * time.Millisecond), WithBuffer(256)}
	if window > 0 {
		opts = append(opts, WithThreshold(150*time.Millisecond, window))
	}
	if os.Getenv(envHeadroom) != "" {
		opts = append(opts, WithHeadroomFraction(0.5))
	}
	if l := os.Getenv(envLevel); l != "" {
		opts = append(opts, WithV1Level(l))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w, err := Watch(ctx, opts...)
	if err != nil {
		printReport(report{Err: err.Error()})
		return
	}
	printReport(report{Sources: w.Sources(), Start: time.Now()})
	if file := os.Getenv(envFile); file != "" {
		for range 2 {
			go reread(ctx, file)
		}
	}
	if os.Getenv(envHog) != "" {
		// A charge of the watcher's while the OOM killer is at work (a
		// fault on a page of its own code that reclaim dropped) could make
		// it the next victim: its pages are locked in, and nothing is
		// printed until the hog is gone (the events wait in the channel's
		// buffer).
		hog := exec.Command(os.Args[0], os.Args[1:]...)
		hog.Env = append(os.Environ(), cgtest.HelperEnv+"=hog")
		_ = hog.Run()
		time.Sleep(time.Second) // a few polls of the counters
	}
	if os.Getenv(envHeadroom) != "" {
		hold(40 << 20)
	}
	want := map[string]bool{}
	for k := range strings.SplitSeq(os.Getenv(envWant), ",") {
		want[k] = true
	}
	for e := range w.Events() {
		printReport(report{Event: &e})
		delete(want, e.Kind.String())
		if len(want) == 0 {
			break
		}
	}
	cancel()
	<-w.Done()
}

// reread reads file over and over until ctx is done.
func reread(ctx context.Context, file string) {
	buf := make([]byte, 1<<20)
	for ctx.Err() == nil {
		f, err := os.Open(file)
		if err != nil {
			return
		}
		for ctx.Err() == nil {
			if _, err := f.Read(buf); err != nil {
				break
			}
		}
		f.Close()
	}
}

// readOnlyCgroupfs bind-mounts every cgroup mount read-only over itself,
// as Docker does, in the helper's own mount namespace.
func readOnlyCgroupfs() error {
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return err
	}
	for line := range strings.SplitSeq(string(mi), "\n") {
		f := strings.Fields(line)
		if len(f) < 10 || !strings.Contains(line, " - cgroup") {
			continue
		}
		point := f[4]
		if err := unix.Mount(point, point, "", unix.MS_BIND, ""); err != nil {
			return fmt.Errorf("bind %s: %w", point, err)
		}
		if err := unix.Mount("", point, "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
			return fmt.Errorf("remount %s read-only: %w", point, err)
		}
	}
	return nil
}

// hold maps and touches n bytes that stay charged until the process ends.
func hold(n int) {
	mem, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return
	}
	for i := 0; i < len(mem); i += 4096 {
		mem[i] = 1
	}
}

// hog allocates and touches 64 MiB with the OOM killer's preference, so
// that it, not the watcher beside it, is killed at the parent's limit.
func hog() {
	_ = os.WriteFile("/proc/self/oom_score_adj", []byte("1000"), 0)
	hold(64 << 20)
}

func TestMain(m *testing.M) {
	if os.Getenv(cgtest.HelperEnv) == "hog" {
		hog()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// startWithout starts cmd from a thread whose capability bounding set lacks
// CAP_SYS_RESOURCE, so that the program, even as root, runs without it
// (capabilities(7): at execve the permitted set is bounded by it). The
// thread is never handed back to the Go scheduler.
func startWithout(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // not unlocked: the thread ends with the goroutine
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, capSysResource, 0, 0, 0); err != nil {
			errc <- err
			return
		}
		errc <- cmd.Start()
	}()
	require.NoError(t, <-errc)
}

func capSysResourceHere(t *testing.T) bool {
	b, err := os.ReadFile("/proc/self/status")
	require.NoError(t, err)
	ok, err := hasCapability(b, capSysResource)
	require.NoError(t, err)
	return ok
}

// sourceOf finds the setup of src.
func sourceOf(t *testing.T, setups []Setup, src Source) Setup {
	t.Helper()
	for _, s := range setups {
		if s.Source == src {
			return s
		}
	}
	t.Fatalf("no %v in %+v", src, setups)
	return Setup{}
}

// firstEvent returns the first event of kind, or fails.
func firstEvent(t *testing.T, reports []report, kind Kind) Event {
	t.Helper()
	for _, r := range reports {
		if r.Event != nil && r.Event.Kind == kind {
			return *r.Event
		}
	}
	t.Fatalf("no %v event in %d reports", kind, len(reports))
	return Event{}
}

// TestRealKernelStall: a helper in a 32 MiB v1 memory cgroup and a cgroup2
// child re-reads a 64 MiB file on a disk filesystem with two readers: the
// reclaim of its own page cache stalls it (about 300 ms in every 2 s on
// this project's hybrid host), and each source reports pressure within
// its window + 3 s. The trigger's window is 1 s: rounded up to 2 s without
// CAP_SYS_RESOURCE, which this host's root lacks and the unprivileged case
// drops from the helper everywhere.
func TestRealKernelStall(t *testing.T) {
	if cgtest.IsHelper(t) {
		helperWatch()
		return
	}
	for _, tc := range []struct {
		name       string
		src        Source
		level      string
		dropCap    bool
		within     time.Duration
		cgroupOf   string
		roundedHow string
	}{
		{name: "trigger", src: SourceTrigger, within: 5 * time.Second, cgroupOf: cgtest.Unified},
		{name: "trigger-unprivileged", src: SourceTrigger, dropCap: true, within: 5 * time.Second, cgroupOf: cgtest.Unified},
		{name: "psi-poll", src: SourcePSIPoll, within: 3*time.Second + 250*time.Millisecond, cgroupOf: cgtest.Unified},
		{name: "v1-level", src: SourceV1Level, level: "low", within: 3 * time.Second, cgroupOf: "memory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if cgtest.IsHelper(t) {
				helperWatch()
				return
			}
			_, _, g, file := stallGroup(t)
			cmd := cgtest.HelperCommand(t, g, t.Name(), envSources+"="+strconv.Itoa(int(tc.src)),
				envWindow+"=1s", envLevel+"="+tc.level, envFile+"="+file, envWant+"=pressure")
			var start func(*testing.T, *exec.Cmd)
			if tc.dropCap {
				start = startWithout
			}
			reports := runHelper(t, cmd, 60*time.Second, start)
			st := sourceOf(t, reports[0].Sources, tc.src)
			require.True(t, st.Active, "%+v", reports[0].Sources)
			assert.Equal(t, g.Path(tc.cgroupOf), st.Cgroup)
			if tc.src == SourceTrigger {
				if tc.dropCap || !capSysResourceHere(t) {
					assert.Equal(t, "trigger some 150000 2000000 (window rounded from 1s to 2s: no CAP_SYS_RESOURCE: the window must be a multiple of 2s)", st.How)
				} else {
					assert.Equal(t, "trigger some 150000 1000000", st.How)
				}
			}
			e := firstEvent(t, reports, KindPressure)
			assert.Equal(t, tc.src, e.Source)
			assert.Equal(t, g.Path(tc.cgroupOf), e.Cgroup)
			latency := e.Time.Sub(reports[0].Start)
			t.Logf("%s: pressure after %v: %+v", tc.name, latency, e)
			assert.Less(t, latency, tc.within, "window + 3 s")
			if tc.src != SourceV1Level {
				assert.Positive(t, e.StallUsec, "the stall since the start")
			}
		})
	}
}

// TestRealKernelV1Counters: a watcher in a v1 child of a 32 MiB parent,
// beside a hog that hits the parent's limit and is OOM-killed. The
// parent's memory.failcnt (the level that sets the limit) gives max, the
// eventfd on the child's memory.oom_control gives oom (v1 notifies the
// descendants of the cgroup in OOM), and the child's oom_kill counter,
// where the victim was, gives oom_kill.
func TestRealKernelV1Counters(t *testing.T) {
	if cgtest.IsHelper(t) {
		helperWatch()
		return
	}
	parent := memoryGroup(t, 32<<20)
	child := parent.Child(t, "app")
	// The watcher starts in a cgroup of its own and is moved in before it
	// watches: its pages stay charged where they were
	// (memory.move_charge_at_immigrate is 0), so that at the limit the
	// OOM killer has no reason to pick it after the hog.
	start := cgtest.New(t, "memory")
	ready := filepath.Join(t.TempDir(), "ready")
	cmd := cgtest.HelperCommand(t, start, t.Name(), envSources+"="+strconv.Itoa(int(SourceV1OOM|SourceCounterPoll)),
		envHog+"=1", envMoved+"="+ready, envWant+"=max,oom,oom_kill")
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	reports := runHelper(t, cmd, 60*time.Second, func(t *testing.T, cmd *exec.Cmd) {
		require.NoError(t, cmd.Start())
		require.Eventually(t, func() bool { _, err := os.Stat(ready); return err == nil },
			30*time.Second, 10*time.Millisecond, "the helper did not start")
		child.Move(t, cmd)
		_, err := io.WriteString(stdin, "moved\n")
		require.NoError(t, err)
	})
	require.True(t, sourceOf(t, reports[0].Sources, SourceV1OOM).Active, "%+v", reports[0].Sources)
	require.True(t, sourceOf(t, reports[0].Sources, SourceCounterPoll).Active)

	maxEvent := firstEvent(t, reports, KindMax)
	assert.Equal(t, parent.Path("memory"), maxEvent.Cgroup, "the limit was hit at the parent")
	assert.Equal(t, "memory.failcnt", maxEvent.File)
	assert.Positive(t, maxEvent.Delta)
	assert.LessOrEqual(t, maxEvent.Count, readUint(t, parent.Read(t, "memory", "memory.failcnt")))

	oom := firstEvent(t, reports, KindOOM)
	assert.Equal(t, SourceV1OOM, oom.Source)
	assert.Equal(t, child.Path("memory"), oom.Cgroup)

	kill := firstEvent(t, reports, KindOOMKill)
	assert.Equal(t, child.Path("memory"), kill.Cgroup, "the victim was in the child")
	assert.Equal(t, "memory.oom_control", kill.File)
	assert.Equal(t, uint64(1), kill.Count)
	t.Logf("max %+v\noom %+v\noom_kill %+v", maxEvent, oom, kill)
}

func readUint(t *testing.T, s string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	require.NoError(t, err)
	return n
}

// TestRealKernelReadOnlyCgroupfs: in a private mount namespace whose cgroup
// mounts are bind-mounted read-only over themselves (as Docker mounts
// cgroupfs), no trigger and no v1 notification can be registered (EROFS):
// Watch falls back to polling the PSI totals and the counters, returns no
// error, and the stall still arrives as a psi-poll event.
func TestRealKernelReadOnlyCgroupfs(t *testing.T) {
	if cgtest.IsHelper(t) {
		helperWatch()
		return
	}
	_, _, g, file := stallGroup(t)
	cmd := cgtest.HelperCommand(t, g, t.Name(), envSources+"="+strconv.Itoa(int(AllSources)),
		envReadOnly+"=1", envFile+"="+file, envWant+"=pressure")
	cmd.SysProcAttr.Unshareflags = unix.CLONE_NEWNS // Go makes / private in it first
	reports := runHelper(t, cmd, 60*time.Second, nil)
	setups := reports[0].Sources
	trig := sourceOf(t, setups, SourceTrigger)
	assert.False(t, trig.Active)
	assert.Contains(t, trig.How, "read-only file system")
	v1oom := sourceOf(t, setups, SourceV1OOM)
	assert.False(t, v1oom.Active)
	assert.Contains(t, v1oom.How, "read-only file system")
	assert.True(t, sourceOf(t, setups, SourcePSIPoll).Active)
	assert.True(t, sourceOf(t, setups, SourceCounterPoll).Active)
	e := firstEvent(t, reports, KindPressure)
	assert.Equal(t, SourcePSIPoll, e.Source)
	assert.Equal(t, g.Path(cgtest.Unified), e.Cgroup)
}

// TestRealKernelLowHeadroom: a helper in a 64 MiB v1 cgroup, watching with
// a low-headroom threshold of half the limit and only the headroom poll,
// touches 40 MiB: a poll reports low-headroom, with the numbers, once the
// room is below the threshold.
func TestRealKernelLowHeadroom(t *testing.T) {
	if cgtest.IsHelper(t) {
		helperWatch()
		return
	}
	g := memoryGroup(t, 64<<20)
	cmd := cgtest.HelperCommand(t, g, t.Name(), envSources+"="+strconv.Itoa(int(SourceHeadroomPoll)),
		envHeadroom+"=1", envWant+"=low-headroom")
	reports := runHelper(t, cmd, 60*time.Second, nil)
	st := sourceOf(t, reports[0].Sources, SourceHeadroomPoll)
	require.True(t, st.Active)
	assert.Equal(t, "polled every 250ms", st.How)
	e := firstEvent(t, reports, KindLowHeadroom)
	assert.Equal(t, SourceHeadroomPoll, e.Source)
	assert.Equal(t, g.Path("memory"), e.Cgroup, "the level that leaves the least room")
	assert.Equal(t, uint64(32<<20), e.ThresholdBytes, "half of the 64 MiB limit")
	// The poll may catch the helper part way through its 40 MiB (seen on a
	// loaded machine: 31 MB of room), so what is sure is that the room it
	// reports is below the threshold.
	assert.Less(t, e.HeadroomBytes, uint64(32<<20), "below the threshold")
	assert.Less(t, e.Time.Sub(reports[0].Start), 3*time.Second)
}
