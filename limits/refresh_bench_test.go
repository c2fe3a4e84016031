package limits_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/limits"
)

// refreshTargets are the trees the refresh benchmarks run on.
func refreshTargets(b *testing.B) map[string][]limits.Option {
	targets := map[string][]limits.Option{"v2-5-levels": {limits.WithRoot(writeTree(b, fiveLevelV2()))}}
	if _, err := limits.Detect(); err == nil {
		targets["host"] = nil
	}
	return targets
}

// BenchmarkRefresh is one tick of the refresh loop: /proc/self/cgroup, to
// notice a move, and every memory-limit, memory.high and CPU-quota file on
// the walk, each re-read with one pread (on v1, only the leaf's memory.stat
// while it says nothing above is limited).
func BenchmarkRefresh(b *testing.B) {
	for name, opts := range refreshTargets(b) {
		b.Run(name, func(b *testing.B) {
			r, err := limits.NewRefresher(opts...)
			require.NoError(b, err)
			defer r.Close()
			b.ReportAllocs()
			for b.Loop() {
				r.Refresh()
			}
		})
	}
}

// BenchmarkRefreshPreadBaseline is the floor under BenchmarkRefresh: the
// same kept-open files, /proc/self/cgroup included, each re-read with one
// pread, nothing parsed.
func BenchmarkRefreshPreadBaseline(b *testing.B) {
	for name, opts := range refreshTargets(b) {
		b.Run(name, func(b *testing.B) {
			r, err := limits.NewRefresher(opts...)
			require.NoError(b, err)
			defer r.Close()
			paths := tickPaths(b, r)
			buf := make([]byte, 0, 8192)
			b.ReportAllocs()
			for b.Loop() {
				if buf, err = r.Preads(paths, buf); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(paths)), "files/op") // after the loop, which resets metrics
		})
	}
}

// tickPaths returns the NUL-terminated paths one tick reads, and checks that
// /proc/self/cgroup is the first of them and that the tick located nothing
// again.
func tickPaths(t testing.TB, r *limits.Refresher) [][]byte {
	t.Helper()
	var paths [][]byte
	stop := limits.TraceReads(func(p []byte) { paths = append(paths, bytes.Clone(p)) })
	_, relocated := r.Refresh()
	stop()
	require.False(t, relocated, "a tick without a move located the cgroups again")
	require.NotEmpty(t, paths)
	require.True(t, bytes.HasSuffix(paths[0], []byte("/proc/self/cgroup\x00")), "the tick read %q first", paths[0])
	return paths
}

// TestRefreshAllocatesNothing: a tick of the refresh loop, on the live host
// and on a 5-level tree, allocates nothing, /proc/self/cgroup read included.
func TestRefreshAllocatesNothing(t *testing.T) {
	trees := map[string][]limits.Option{"v2-5-levels": {limits.WithRoot(writeTree(t, fiveLevelV2()))}}
	if _, err := limits.Detect(); err == nil {
		trees["host"] = nil
	}
	for name, opts := range trees {
		t.Run(name, func(t *testing.T) {
			r, err := limits.NewRefresher(opts...)
			require.NoError(t, err)
			defer r.Close()
			first, _ := r.Refresh()
			require.NotEqual(t, limits.Unknown, first.Memory.Limit.State)
			tickPaths(t, r)
			if allocs := testing.AllocsPerRun(50, func() { r.Refresh() }); allocs != 0 {
				t.Errorf("a refresh allocates %v times", allocs)
			}
		})
	}
}
