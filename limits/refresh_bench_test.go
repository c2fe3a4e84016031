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

// BenchmarkRefresh is one tick of the refresh loop: every memory-limit,
// memory.high and CPU-quota file on the walk re-read with one pread (on v1,
// only the leaf's memory.stat while it says nothing above is limited).
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
// same kept-open files, each re-read with one pread, nothing parsed.
func BenchmarkRefreshPreadBaseline(b *testing.B) {
	for name, opts := range refreshTargets(b) {
		b.Run(name, func(b *testing.B) {
			r, err := limits.NewRefresher(opts...)
			require.NoError(b, err)
			defer r.Close()
			var paths [][]byte
			stop := limits.TraceReads(func(p []byte) { paths = append(paths, bytes.Clone(p)) })
			r.Refresh()
			stop()
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

// TestRefreshAllocatesNothing: a tick of the refresh loop, on the live host
// and on a 5-level tree, allocates nothing.
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
			first := r.Refresh()
			require.NotEqual(t, limits.Unknown, first.Memory.Limit.State)
			if allocs := testing.AllocsPerRun(50, func() { r.Refresh() }); allocs != 0 {
				t.Errorf("a refresh allocates %v times", allocs)
			}
		})
	}
}
