package limits_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/readfile"
	"github.com/truelimit/truelimit/limits"
)

// usageFilesRead lists, in order, every file one DetectUsage reads.
func usageFilesRead(t testing.TB, opts ...limits.Option) [][]byte {
	t.Helper()
	var paths [][]byte
	stop := limits.TraceReads(func(p []byte) { paths = append(paths, bytes.Clone(p)) })
	_, _, err := limits.DetectUsage(opts...)
	stop()
	require.NoError(t, err)
	return paths
}

// BenchmarkDetectUsage is the first read of usage (DetectUsage: Detect's
// files and the usage files), beside BenchmarkDetectUsageIOBaseline, the same
// files opened, read and closed with nothing parsed. The pod tree holds the
// usage files of every level; on the host, this process's own cgroups.
func BenchmarkDetectUsage(b *testing.B) {
	b.Run("host", func(b *testing.B) {
		if _, _, err := limits.DetectUsage(); err != nil {
			b.Skip("no live cgroups here:", err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := limits.DetectUsage(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("v2-pod", func(b *testing.B) {
		root := writeTree(b, podUsageTree(nil))
		_, u, err := limits.DetectUsage(limits.WithRoot(root))
		if err != nil || !u.Memory.Headroom.Known {
			b.Fatalf("tree answers %+v, %v", u, err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := limits.DetectUsage(limits.WithRoot(root)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDetectUsageIOBaseline(b *testing.B) {
	b.Run("host", func(b *testing.B) {
		if _, _, err := limits.DetectUsage(); err != nil {
			b.Skip("no live cgroups here:", err)
		}
		paths := usageFilesRead(b)
		b.ReportAllocs()
		for b.Loop() {
			replay(b, nil, paths)
		}
		b.ReportMetric(float64(len(paths)), "files/op")
	})
	b.Run("v2-pod", func(b *testing.B) {
		dir := writeTree(b, podUsageTree(nil))
		paths := usageFilesRead(b, limits.WithRoot(dir))
		root := new(readfile.Root)
		root.Set(dir, readfile.Contained())
		defer root.Close()
		b.ReportAllocs()
		for b.Loop() {
			replay(b, root, paths)
		}
		b.ReportMetric(float64(len(paths)), "files/op")
	})
}

// TestDetectUsageReadsEachFileOnce: with memory.high and memory.max set at
// the same levels, both headrooms and shared-limit use one read of each
// level's memory.current.
func TestDetectUsageReadsEachFileOnce(t *testing.T) {
	const pod = "sys/fs/cgroup/pod.slice/"
	root := writeTree(t, podUsageTree(map[string]string{
		pod + "memory.high": "1000000000\n", pod + "ctr.scope/memory.high": "800000000\n"}))
	seen := map[string]int{}
	for _, p := range usageFilesRead(t, limits.WithRoot(root)) {
		seen[string(p)]++
	}
	for p, n := range seen {
		require.Equal(t, 1, n, "%s read %d times", p, n)
	}
}
