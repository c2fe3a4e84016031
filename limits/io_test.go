package limits_test

import (
	"bytes"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/readfile"
	"github.com/truelimit/truelimit/limits"
)

// filesRead returns the NUL-terminated paths one detection reads, in order.
func filesRead(t testing.TB, opts ...limits.Option) [][]byte {
	t.Helper()
	var paths [][]byte
	stop := limits.TraceReads(func(p []byte) { paths = append(paths, bytes.Clone(p)) })
	_, err := limits.Detect(opts...)
	stop()
	require.NoError(t, err)
	return paths
}

// TestFilesRead checks the I/O of one Detect: every file read once, and the
// v1-only files (memory.stat, /proc/cgroups, osrelease, memory.kmem.*) only
// where a v1 memory hierarchy is involved. It prints the counts the
// performance notes quote.
func TestFilesRead(t *testing.T) {
	tests := []struct {
		name    string
		opts    func(t *testing.T) []limits.Option
		v1      bool
		live    bool
		atLeast int
	}{
		{name: "5-level v2 tree", opts: func(t *testing.T) []limits.Option {
			return []limits.Option{limits.WithRoot(writeTree(t, fiveLevelV2()))}
		}, atLeast: 20},
		{name: "v1 tree with a hidden parent", opts: func(*testing.T) []limits.Option {
			return []limits.Option{limits.WithRoot("../testdata/v1-dind-hidden-parent-hierarchical-limit")}
		}, v1: true, atLeast: 8},
		{name: "this host", opts: func(*testing.T) []limits.Option { return nil }, live: true, atLeast: 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.live {
				if _, err := limits.Detect(); err != nil {
					t.Skip("no live cgroups here:", err)
				}
			}
			paths := filesRead(t, tt.opts(t)...)
			var names []string
			for _, p := range paths {
				names = append(names, string(p[:len(p)-1]))
			}
			t.Logf("%d files read:\n%s", len(names), strings.Join(names, "\n"))
			assert.GreaterOrEqual(t, len(names), tt.atLeast)
			sorted := slices.Clone(names)
			slices.Sort(sorted)
			assert.Equal(t, len(sorted), len(slices.Compact(sorted)), "a file was read twice")
			if tt.live {
				res, err := limits.Detect()
				require.NoError(t, err)
				for _, p := range res.Placements {
					tt.v1 = tt.v1 || (p.Controller == "memory" && p.Version == 1)
				}
			}
			for _, n := range names {
				v1Only := strings.HasSuffix(n, "/memory.stat") || strings.HasSuffix(n, "/proc/cgroups") ||
					strings.HasSuffix(n, "/proc/sys/kernel/osrelease") || strings.Contains(n, "/memory.kmem.")
				if v1Only && !tt.v1 {
					t.Errorf("%s read without a v1 memory hierarchy", n)
				}
			}
		})
	}
}

// TestSetterFilesRead checks the I/O of the setters' detection: only the
// files GOMEMLIMIT and GOMAXPROCS follow (mountinfo, /proc/self/cgroup,
// cgroup.controllers, the memory limits and memory.high, the CPU quota,
// /proc/meminfo, whose MemTotal caps GOMEMLIMIT) and, since the memory
// limit is the pod's, the memory.current of the pod and of the leaf (the
// shared-limit note, or policy), each once; none of what only a report shows
// (swap, weight, cpuset, pids, online CPUs), which Detect reads on the same
// tree. A refresh reads the two memory.current files only under the policy.
func TestSetterFilesRead(t *testing.T) {
	root := writeTree(t, fiveLevelV2())
	var names []string
	stop := limits.TraceReads(func(p []byte) { names = append(names, string(p[len(root):len(p)-1])) })
	_, undo, err := limits.SetGoMemLimit(limits.WithRoot(root))
	stop()
	require.NoError(t, err)
	undo()
	t.Logf("%d files read:\n%s", len(names), strings.Join(names, "\n"))

	sorted := slices.Clone(names)
	slices.Sort(sorted)
	assert.Equal(t, len(sorted), len(slices.Compact(sorted)), "a file was read twice")
	detectOnly := []string{"memory.swap.max", "cpu.weight", "cpuset.cpus.effective", "pids.max", "/sys/devices/system/cpu/online"}
	for _, n := range names {
		for _, suffix := range detectOnly {
			assert.False(t, strings.HasSuffix(n, suffix), "the setters read %s", n)
		}
	}
	// Five levels each of memory.max, memory.high and cpu.max, plus
	// mountinfo, /proc/self/cgroup, /proc/meminfo, the leaf's
	// cgroup.controllers and two memory.current.
	assert.Len(t, names, 21)
	assert.Contains(t, names, "/proc/meminfo")
	pod := "/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice"
	usages := []string{pod + "/memory.current", pod + "/cri-containerd-abcd.scope/memory.current"}
	cpuFrom := slices.IndexFunc(names, func(n string) bool { return strings.HasSuffix(n, "cpu.max") })
	require.GreaterOrEqual(t, cpuFrom, 2)
	assert.Equal(t, usages, names[cpuFrom-2:cpuFrom], "after the memory walk, before the cpu walk")
	// The shared-limit policy reads the same files at the start, and the two
	// usages again on every refresh.
	for _, shared := range []bool{false, true} {
		opts := []limits.MemoryOption{limits.WithRoot(root)}
		if shared {
			opts = append(opts, limits.WithSharedMemoryLimit())
		}
		var start []string
		stop = limits.TraceReads(func(p []byte) { start = append(start, string(p[len(root):len(p)-1])) })
		_, undo, err = limits.SetGoMemLimit(opts...)
		stop()
		require.NoError(t, err)
		undo()
		assert.Equal(t, names, start, "shared %v", shared)
		r, err := limits.NewSharedRefresher(shared, limits.WithRoot(root))
		require.NoError(t, err)
		var tick []string
		stop = limits.TraceReads(func(p []byte) { tick = append(tick, string(p[len(root):len(p)-1])) })
		r.Refresh()
		stop()
		r.Close()
		for _, u := range usages {
			assert.Equal(t, shared, slices.Contains(tick, u), "shared %v: a refresh reads %s", shared, u)
		}
	}
	for _, p := range filesRead(t, limits.WithRoot(root)) {
		n := string(p[len(root) : len(p)-1])
		if slices.ContainsFunc(detectOnly, func(s string) bool { return strings.HasSuffix(n, s) }) {
			return // Detect reads what the setters skip: the assertions above could fail
		}
	}
	t.Fatal("Detect read none of the files the setters skip")
}

// replay opens, reads and closes each path: Detect's I/O without its work,
// read the way Detect reads them (interface files with one read when it
// comes back short, /proc and /sys files to EOF), beneath root as Detect
// opens them there (nil: the live system's plain opens).
func replay(b *testing.B, root *readfile.Root, paths [][]byte) {
	buf := make([]byte, 0, 8192)
	read := readfile.Read
	if root != nil {
		read = root.Read
	}
	for _, p := range paths {
		end := readfile.AtShortRead
		if bytes.Contains(p, []byte("/proc/")) || bytes.Contains(p, []byte("/sys/devices/")) {
			end = readfile.AtEOF
		}
		var err error
		if buf, err = read(p, buf, 16<<20, end); err != nil && !isNotExist(err) {
			b.Fatal(err)
		}
	}
}

// BenchmarkDetectIOBaseline is the floor under BenchmarkDetect: the same
// files, opened, read to EOF and closed with the same code, nothing parsed.
func BenchmarkDetectIOBaseline(b *testing.B) {
	b.Run("host", func(b *testing.B) {
		if _, err := limits.Detect(); err != nil {
			b.Skip("no live cgroups here:", err)
		}
		paths := filesRead(b)
		b.ReportAllocs()
		for b.Loop() {
			replay(b, nil, paths)
		}
		b.ReportMetric(float64(len(paths)), "files/op") // after the loop, which resets metrics
	})
	// Under a root Detect resolves every path beneath it (openat2, and an
	// fstat for the file type): its floor there. The plain opens of the
	// same paths show what containment costs.
	for _, contained := range []bool{true, false} {
		name := "v2-5-levels"
		if !contained {
			name += "-uncontained"
		}
		b.Run(name, func(b *testing.B) {
			dir := writeTree(b, fiveLevelV2())
			paths := filesRead(b, limits.WithRoot(dir))
			var root *readfile.Root
			if contained {
				root = new(readfile.Root)
				root.Set(dir, readfile.Contained())
				defer root.Close()
			}
			b.ReportAllocs()
			for b.Loop() {
				replay(b, root, paths)
			}
			b.ReportMetric(float64(len(paths)), "files/op") // after the loop, which resets metrics
		})
	}
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
