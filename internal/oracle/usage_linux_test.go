package oracle

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/containerd/cgroups/v3/cgroup1"
	v1 "github.com/containerd/cgroups/v3/cgroup1/stats"
	"github.com/moby/sys/mountinfo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/cgtest"
	"github.com/truelimit/truelimit/limits"
)

// What the test sets on its group and what the helper does there.
const (
	// usageMemoryLimit leaves room for the helper's anonymous memory even
	// when it is built with -race (about 36 MiB then, 11 MiB without).
	usageMemoryLimit = 64 << 20
	usageCFSPeriodUs = 100000
	usageCFSQuotaUs  = 10000 // 0.1 CPU: any burst longer than 10 ms a period is throttled
	usageAnonBytes   = 8 << 20
	usageShmemBytes  = 2 << 20
	// usageFileBytes of page cache, more than the limit: the charges hit it
	// and reclaim the clean cache, so failcnt grows without an OOM kill.
	usageFileBytes = usageMemoryLimit + 16<<20
	usageSyncEvery = 4 << 20
	usageBurn      = 400 * time.Millisecond
)

// helperUsageDirEnv names the directory (on a disk file system, not tmpfs:
// the cache must be reclaimable) where the helper writes its file.
const helperUsageDirEnv = "TRUELIMIT_ORACLE_USAGE_DIR"

// usageReady is the line the helper prints when its usage is in place.
const usageReady = "usage-ready"

// useMemoryAndCPU is the helper's work: anonymous memory, shared memory,
// page cache beyond the memory limit (synced as it goes, so that reclaim
// finds clean pages), and CPU beyond the quota. Then it prints usageReady
// and sleeps until the test stops it; the memory stays mapped.
func useMemoryAndCPU(dir string) error {
	page := os.Getpagesize()
	anon := make([]byte, usageAnonBytes)
	for i := 0; i < len(anon); i += page {
		anon[i] = 1
	}
	shm, err := syscall.Mmap(-1, 0, usageShmemBytes, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED|syscall.MAP_ANONYMOUS)
	if err != nil {
		return fmt.Errorf("mmap shared: %w", err)
	}
	for i := 0; i < len(shm); i += page {
		shm[i] = 1
	}
	f, err := os.Create(filepath.Join(dir, "cache"))
	if err != nil {
		return err
	}
	defer f.Close()
	chunk := bytes.Repeat([]byte{1}, 1<<20)
	for written := len(chunk); written <= usageFileBytes; written += len(chunk) {
		if _, err := f.Write(chunk); err != nil {
			return err
		}
		if written%usageSyncEvery == 0 {
			if err := f.Sync(); err != nil {
				return err
			}
		}
	}
	for deadline := time.Now().Add(usageBurn); time.Now().Before(deadline); {
	}
	fmt.Println(usageReady)
	time.Sleep(time.Hour)
	runtime.KeepAlive(anon)
	runtime.KeepAlive(shm)
	return nil
}

// usageView is what both readers report for the group, in truelimit's units
// (microseconds for CPU time). Each field names its source on v1.
type usageView struct {
	Current      uint64 // memory.usage_in_bytes
	WorkingSet   uint64 // usage_in_bytes - total_inactive_file, clamped at 0
	Peak         uint64 // memory.max_usage_in_bytes
	Swap         uint64 // memory.memsw.usage_in_bytes - usage_in_bytes, clamped at 0
	Anon         uint64 // memory.stat total_rss
	File         uint64 // memory.stat total_cache
	Shmem        uint64 // memory.stat total_shmem
	InactiveFile uint64 // memory.stat total_inactive_file
	Kernel       uint64 // memory.kmem.usage_in_bytes
	Failcnt      uint64 // memory.failcnt
	OOMKill      uint64 // memory.oom_control oom_kill
	Periods      uint64 // cpu.stat nr_periods
	Throttled    uint64 // cpu.stat nr_throttled
	ThrottledUs  uint64 // cpu.stat throttled_time / 1000
	CPUUsec      uint64 // cpuacct.usage / 1000
	Pids         uint64 // pids.current
}

// containerdView maps containerd's v1 Metrics onto usageView. containerd's
// notions differ in three places, bridged here: its Swap entry is
// memory.memsw.* (memory plus swap, as the file says), so swap is that
// minus the memory usage; it has no working set (the kubelet's cAdvisor
// computes one the same way); and its MemoryStat has no shmem field at all
// (parseStats drops total_shmem), so shmem is taken from the group's
// memory.stat, which the test reads itself in the same bracket.
func containerdView(t *testing.T, m *v1.Metrics, totalShmem uint64, swapAccounted bool) usageView {
	t.Helper()
	require.NotNil(t, m.Memory, "containerd read no memory stats")
	require.NotNil(t, m.MemoryOomControl, "containerd read no memory.oom_control")
	require.NotNil(t, m.Pids, "containerd read no pids stats")
	mem := m.Memory
	v := usageView{
		Current:      mem.Usage.Usage,
		WorkingSet:   mem.Usage.Usage - min(mem.Usage.Usage, mem.TotalInactiveFile),
		Peak:         mem.Usage.Max,
		Anon:         mem.TotalRSS,
		File:         mem.TotalCache,
		Shmem:        totalShmem,
		InactiveFile: mem.TotalInactiveFile,
		Kernel:       mem.Kernel.Usage,
		Failcnt:      mem.Usage.Failcnt,
		OOMKill:      m.MemoryOomControl.OomKill,
		Periods:      m.CPU.Throttling.Periods,
		Throttled:    m.CPU.Throttling.ThrottledPeriods,
		ThrottledUs:  m.CPU.Throttling.ThrottledTime / 1000,
		CPUUsec:      m.CPU.Usage.Total / 1000,
		Pids:         m.Pids.Current,
	}
	if swapAccounted {
		v.Swap = mem.Swap.Usage - min(mem.Swap.Usage, mem.Usage.Usage)
	}
	return v
}

// truelimitView maps a Usage onto usageView; every value must be known
// (swap only with swap accounting), and the throttling must be the group's.
func truelimitView(t *testing.T, who string, u limits.Usage, cpuPath string, swapAccounted bool) usageView {
	t.Helper()
	known := func(name string, c limits.Count) uint64 {
		assert.True(t, c.Known, "%s: %s unknown", who, name)
		return c.Value
	}
	m := u.Memory
	v := usageView{
		Current:      known("memory current", m.Current),
		WorkingSet:   known("working set", m.WorkingSet),
		Peak:         known("peak", m.Peak),
		Anon:         known("anon", m.Anon),
		File:         known("file", m.File),
		Shmem:        known("shmem", m.Shmem),
		InactiveFile: known("inactive_file", m.InactiveFile),
		Kernel:       known("kernel", m.Kernel),
		Failcnt:      known("events max", m.Events.Max),
		OOMKill:      known("events oom_kill", m.Events.OOMKill),
		CPUUsec:      known("cpu usage", u.CPU.UsageUsec),
		Pids:         known("pids", u.Pids),
	}
	if swapAccounted {
		v.Swap = known("swap", m.Swap)
	} else {
		assert.False(t, m.Swap.Known, "%s: swap known without swap accounting", who)
	}
	if th := u.CPU.Throttling; assert.NotNil(t, th, "%s: no throttling under a CFS quota", who) {
		assert.Equal(t, cpuPath, th.Source, "%s: the throttling is the group's, which carries the quota", who)
		v.Periods = known("nr_periods", th.Periods)
		v.Throttled = known("nr_throttled", th.ThrottledPeriods)
		v.ThrottledUs = known("throttled_usec", th.ThrottledUsec)
	}
	// v1 has no such values: containerd has none to compare either.
	assert.False(t, m.Sock.Known, "%s: v1 has no socket memory in memory.stat", who)
	assert.False(t, m.Events.High.Known || m.Events.OOM.Known, "%s: v1 has no high or oom counter", who)
	// The group itself sets the memory limit: no other level's events.
	assert.Nil(t, m.LimitEvents, "%s", who)
	return v
}

// statKey returns key's value in a flat keyed file such as memory.stat.
func statKey(t *testing.T, content, key string) uint64 {
	t.Helper()
	for line := range strings.Lines(content) {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), " "); ok && k == key {
			n, err := strconv.ParseUint(v, 10, 64)
			require.NoError(t, err, "%s", line)
			return n
		}
	}
	t.Fatalf("no %s in:\n%s", key, content)
	return 0
}

// v1FreezerMounted reports whether a v1 hierarchy binds the freezer.
func v1FreezerMounted(t *testing.T) bool {
	t.Helper()
	mounts, err := mountinfo.GetMounts(mountinfo.FSTypeFilter("cgroup"))
	require.NoError(t, err)
	return slices.ContainsFunc(mounts, func(m *mountinfo.Info) bool {
		return slices.Contains(strings.Split(m.VFSOptions, ","), "freezer")
	})
}

// eventually polls cond every step until it holds, failing the test with
// what after timeout.
func eventually(t *testing.T, cond func() bool, step time.Duration, what string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(step) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

// stopGroup keeps the helper from running: it freezes the group with the v1
// freezer when g has one (thawed again at cleanup, before the harness kills
// the helper: a frozen task does not die), or else stops the helper with
// SIGSTOP, and waits until it is so.
func stopGroup(t *testing.T, g *cgtest.Group, frozen bool, pid int) {
	t.Helper()
	if frozen {
		t.Cleanup(func() { g.Set(t, "freezer", "freezer.state", "THAWED") })
		g.Set(t, "freezer", "freezer.state", "FROZEN")
		eventually(t, func() bool { return g.Read(t, "freezer", "freezer.state") == "FROZEN" }, 10*time.Millisecond, "the group is frozen")
		return
	}
	require.NoError(t, syscall.Kill(pid, syscall.SIGSTOP))
	eventually(t, func() bool {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		require.NoError(t, err)
		_, after, _ := bytes.Cut(stat, []byte(") "))
		return bytes.HasPrefix(after, []byte("T"))
	}, 10*time.Millisecond, "the helper is stopped")
}

// subsystemPather is a containerd subsystem with a directory (its own
// pather interface is unexported).
type subsystemPather interface {
	cgroup1.Subsystem
	Path(path string) string
}

// groupHierarchy is containerd's Default hierarchy cut down to the named
// controllers (the others, blkio, devices..., are not the group's: the
// helper sits at their roots), with the memory controller made with
// OptionalSwap: the default one fails its Stat at the first missing
// memory.memsw.* file on a host without swap accounting, which
// IgnoreNotExist then swallows, leaving kmem unread (zero).
func groupHierarchy(names ...cgroup1.Name) cgroup1.Hierarchy {
	return func() ([]cgroup1.Subsystem, error) {
		all, err := cgroup1.Default()
		if err != nil {
			return nil, err
		}
		var subsystems []cgroup1.Subsystem
		for _, s := range all {
			p, ok := s.(subsystemPather)
			switch {
			case !slices.Contains(names, s.Name()):
			case ok && s.Name() == cgroup1.Memory:
				subsystems = append(subsystems, cgroup1.NewMemory(filepath.Dir(p.Path("/")), cgroup1.OptionalSwap()))
			default:
				subsystems = append(subsystems, s)
			}
		}
		return subsystems, nil
	}
}

// TestUsageAgreesWithContainerdStat reads the usage of a real v1 cgroup
// with containerd's cgroup1 Stat and with ForCgroupUsage and ForPIDUsage,
// and requires the same numbers. The group (memory, cpu, cpuacct, pids, and
// the freezer where mounted) is created below this process's own cgroups,
// with a 64 MiB memory limit and a 0.1 CPU quota; a helper started in it
// uses anonymous and shared memory, page cache beyond the limit (so failcnt
// grows) and CPU beyond the quota (so it is throttled), then the group is
// frozen (or the helper stopped with SIGSTOP) and the CFS period timer left
// to go idle, so both readers read the same files of a group that no longer
// changes. Each comparison is bracketed by two containerd reads that must
// agree: a late memory.stat flush or a drained per-CPU charge stock moves
// the counters of a frozen group too, and the bracket is then retried.
//
// Compared: memory current, working set, peak, swap (where accounted),
// anon, file, shmem, inactive_file, kernel, failcnt (events max), oom_kill,
// the group's cpu.stat throttling, cpuacct usage, and pids.current.
// Not compared: the limits (the Result, checked elsewhere), headroom (no
// containerd counterpart: it is limit minus usage over the levels), PSI
// (containerd's cgroup1 reads none), containerd's KernelTCP
// (memory.kmem.tcp.*, which truelimit does not read: v1's socket memory is
// not part of memory.stat, so Sock stays unknown), and containerd's
// per-CPU, user and system CPU times and the non-total memory.stat keys,
// which truelimit has no field for.
//
// The test needs v1 memory, cpu, cpuacct and pids hierarchies and skips
// without them. It does not run on cgroup v2: there containerd's
// counterpart is cgroup2.Manager.Stat, and this project's host has no v2
// memory or cpu controller (its cgroup2 mount holds only hugetlb); a v2
// kernel under QEMU would be needed, which this test does not boot.
func TestUsageAgreesWithContainerdStat(t *testing.T) {
	if cgtest.IsHelper(t) {
		if err := useMemoryAndCPU(os.Getenv(helperUsageDirEnv)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		return
	}
	controllers := []cgroup1.Name{cgroup1.Memory, cgroup1.Cpu, cgroup1.Cpuacct, cgroup1.Pids}
	frozen := v1FreezerMounted(t)
	if frozen {
		controllers = append(controllers, cgroup1.Freezer)
	}
	var names []string
	for _, c := range controllers {
		names = append(names, string(c))
	}
	g := cgtest.New(t, names...)
	g.Set(t, "memory", "memory.limit_in_bytes", strconv.Itoa(usageMemoryLimit))
	g.Set(t, "cpu", "cpu.cfs_period_us", strconv.Itoa(usageCFSPeriodUs))
	g.Set(t, "cpu", "cpu.cfs_quota_us", strconv.Itoa(usageCFSQuotaUs))

	dir := t.TempDir()
	cmd := cgtest.HelperCommand(t, g, t.Name(), helperUsageDirEnv+"="+dir)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	lines := bufio.NewScanner(stdout)
	for lines.Scan() && lines.Text() != usageReady {
	}
	if lines.Text() != usageReady {
		err := cmd.Wait()
		t.Fatalf("the helper ended before its usage was in place: %v; stderr:\n%s", err, &stderr)
	}
	pid := cmd.Process.Pid
	stopGroup(t, g, frozen, pid)
	// The period timer counts nr_periods until a period passes idle.
	last := ""
	eventually(t, func() bool {
		s := g.Read(t, "cpu", "cpu.stat")
		same := s == last
		last = s
		return same
	}, 3*usageCFSPeriodUs*time.Microsecond, "cpu.stat stops changing")

	// PidPath: containerd's way to an existing process's cgroups.
	cg, err := cgroup1.Load(cgroup1.PidPath(pid), cgroup1.WithHierarchy(groupHierarchy(controllers...)))
	require.NoError(t, err)
	require.Len(t, cg.Subsystems(), len(controllers))
	for _, s := range cg.Subsystems() {
		p, err := cgroup1.PidPath(pid)(s.Name())
		require.NoError(t, err)
		// The same directory, not the same name: containerd joins its
		// cpuacct root, a link to cpu,cpuacct where the two are co-mounted.
		theirDir, err := os.Stat(s.(subsystemPather).Path(p))
		require.NoError(t, err)
		ourDir, err := os.Stat(g.Dir(string(s.Name())))
		require.NoError(t, err)
		require.True(t, os.SameFile(ourDir, theirDir), "containerd reads %s in the %s hierarchy, not the group", s.(subsystemPather).Path(p), s.Name())
	}
	_, err = os.Stat(filepath.Join(g.Dir("memory"), "memory.memsw.usage_in_bytes"))
	swapAccounted := err == nil
	theirs := func() usageView {
		m, err := cg.Stat(cgroup1.IgnoreNotExist)
		require.NoError(t, err)
		return containerdView(t, m, statKey(t, g.Read(t, "memory", "memory.stat"), "total_shmem"), swapAccounted)
	}
	// A relative cgroupfs path is below this process's own cgroup in each
	// hierarchy: /process_api/<id>/<rel> for memory here, /<rel> for cpu.
	rel := filepath.Base(g.Path("memory"))
	for attempt := 1; ; attempt++ {
		before := theirs()
		resCgroup, byPath, err := limits.ForCgroupUsage(rel, limits.FormCgroupfs)
		require.NoError(t, err)
		resPID, byPID, err := limits.ForPIDUsage(pid)
		require.NoError(t, err)
		after := theirs()
		if before != after {
			require.Less(t, attempt, 5, "the frozen group's counters kept changing: %+v, then %+v", before, after)
			time.Sleep(200 * time.Millisecond)
			continue
		}
		t.Logf("attempt %d, containerd: %+v", attempt, before)
		assert.Equal(t, before, truelimitView(t, "ForCgroupUsage", byPath, g.Path("cpu"), swapAccounted), "ForCgroupUsage(%q)", rel)
		assert.Equal(t, before, truelimitView(t, "ForPIDUsage", byPID, g.Path("cpu"), swapAccounted), "ForPIDUsage(%d)", pid)
		for _, res := range []limits.Result{resCgroup, resPID} {
			assert.False(t, res.Has(limits.CodeReadError) || res.Has(limits.CodeBadValue), "%+v", res.Diagnostics)
		}
		// The helper's work shows: the comparisons are not of zeros.
		assert.Greater(t, before.Failcnt, uint64(0), "the page cache hit the limit")
		assert.Greater(t, before.Throttled, uint64(0), "the CPU burst was throttled")
		assert.GreaterOrEqual(t, before.Anon, uint64(usageAnonBytes))
		assert.GreaterOrEqual(t, before.Shmem, uint64(usageShmemBytes))
		assert.Greater(t, before.File, before.Shmem, "page cache beyond the shared memory")
		assert.Positive(t, before.Kernel)
		assert.Positive(t, before.CPUUsec)
		assert.Positive(t, before.Pids)
		return
	}
}
