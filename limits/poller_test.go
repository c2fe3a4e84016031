package limits_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/limits"
)

// pollTargets are the trees the poller's tests and benchmarks run on: the
// pod of two containers and, where it has cgroups, the live host.
func pollTargets(t testing.TB) map[string][]limits.Option {
	targets := map[string][]limits.Option{"v2-pod": {limits.WithRoot(writeTree(t, podUsageTree(nil)))}}
	if _, err := limits.Detect(); err == nil {
		targets["host"] = nil
	}
	return targets
}

// TestUsagePollerFollowsTheFiles: the first sample is DetectUsage's; later
// samples see a new usage and a resized limit through the kept-open files;
// a removed file ends the poller's life with ErrCgroupsChanged.
func TestUsagePollerFollowsTheFiles(t *testing.T) {
	root := writeTree(t, podUsageTree(nil))
	p, res, first, err := limits.NewUsagePoller(limits.WithRoot(root))
	require.NoError(t, err)
	defer p.Close()
	wantRes, want, err := limits.DetectUsage(limits.WithRoot(root))
	require.NoError(t, err)
	assert.Equal(t, want, first)
	assert.Equal(t, wantRes.Diagnostics, res.Diagnostics)

	var u limits.Usage
	require.NoError(t, p.Poll(&u))
	assert.Equal(t, want, u, "a sample reads what DetectUsage reads")

	pod := filepath.Join(root, "sys/fs/cgroup/pod.slice")
	// Rewritten in place, as the kernel's files change under an open handle.
	rewrite := func(name, content string) {
		f, err := os.OpenFile(filepath.Join(pod, name), os.O_WRONLY|os.O_TRUNC, 0)
		require.NoError(t, err)
		_, err = f.WriteString(content)
		require.NoError(t, err)
		require.NoError(t, f.Close())
	}
	rewrite("memory.current", "1000000000\n")
	rewrite("memory.max", "2147483648\n")
	require.NoError(t, p.Poll(&u))
	assert.Equal(t, limits.Headroom{Known: true, Bytes: 2147483648 - 1000000000, Source: "/pod.slice"}, u.Memory.Headroom)

	require.NoError(t, os.Remove(filepath.Join(pod, "ctr.scope", "memory.current")))
	require.NoError(t, p.Poll(&u), "a kept-open file reads on after its name is gone")
	assert.Equal(t, uint64(300*mib), u.Memory.Current.Value)
}

// TestUsagePollEqualsDetectUsage: after files of the leaf and the pod change
// in place (limits that move the headroom, the throttling and the limit
// events to another level, counters, a PSI file losing and gaining its full
// line, a malformed memory.stat), each sample equals what DetectUsage reads
// from the same files. Samples between the changes do not walk the limits
// again; a sample after a change walks them exactly when a limit file
// changed.
func TestUsagePollEqualsDetectUsage(t *testing.T) {
	root := writeTree(t, podUsageTree(nil))
	p, _, _, err := limits.NewUsagePoller(limits.WithRoot(root))
	require.NoError(t, err)
	defer p.Close()
	rewrite := func(name, content string) {
		f, err := os.OpenFile(filepath.Join(root, "sys/fs/cgroup/pod.slice", name), os.O_WRONLY|os.O_TRUNC, 0)
		require.NoError(t, err)
		_, err = f.WriteString(content)
		require.NoError(t, err)
		require.NoError(t, f.Close())
	}
	rounds := []map[string]string{
		{
			"ctr.scope/memory.max":      "209715200\n",
			"ctr.scope/cpu.max":         "20000 100000\n",
			"ctr.scope/memory.events":   "low 0\nhigh 3\nmax 5\noom 2\noom_kill 2\n",
			"ctr.scope/cpu.stat":        "usage_usec 460000\nnr_periods 10\nnr_throttled 4\nthrottled_usec 70000\n",
			"ctr.scope/memory.pressure": "some avg10=2.50 avg60=1.75 avg300=0.30 total=223456\n",
			"ctr.scope/memory.stat":     "anon 209715200\nfile 1\n",
			"cpu.stat":                  "usage_usec 950000\nnr_periods 500\nnr_throttled 130\nthrottled_usec 3600000\n",
		},
		{
			"ctr.scope/memory.max":      "max\n",
			"memory.max":                "536870912\n",
			"memory.high":               "900000000\n",
			"ctr.scope/cpu.max":         "max 100000\n",
			"cpu.max":                   "150000 100000\n",
			"ctr.scope/cpu.pressure":    "some avg10=1.00 avg60=2.00 avg300=3.00 total=1000\nfull avg10=0.10 avg60=0.20 avg300=0.30 total=100\n",
			"ctr.scope/memory.pressure": "some avg10=1.50 avg60=0.75 avg300=0.20 total=123456\nfull avg10=0.50 avg60=0.25 avg300=0.05 total=45678\n",
			"memory.events":             "low 0\nhigh 1\nmax 13\noom 1\noom_kill 2\n",
			"memory.current":            "600000000\n",
		},
		{
			"ctr.scope/memory.stat":   "anon x\n",
			"ctr.scope/memory.events": "high 1\n",
			"ctr.scope/memory.peak":   "bad\n",
			"ctr.scope/pids.current":  "9\n",
			"cpu.stat":                "usage_usec 1\n",
			"memory.max":              "max\n",
		},
		{
			"ctr.scope/memory.current": "314572801\n",
			"memory.current":           "600000001\n",
		},
		{"ctr.scope/memory.high": "1000\n"},
	}
	var u, prev limits.Usage
	require.NoError(t, p.Poll(&prev))
	for i, files := range rounds {
		for range 2 {
			require.NoError(t, p.Poll(&u))
		}
		walks := p.Walks()
		require.NoError(t, p.Poll(&u))
		require.Equal(t, walks, p.Walks(), "round %d: a sample of unchanged limits walked them", i+1)
		resized := false
		for name, content := range files {
			rewrite(name, content)
			resized = resized || strings.HasSuffix(name, ".max") || strings.HasSuffix(name, ".high")
		}
		require.NoError(t, p.Poll(&u))
		assert.Equal(t, resized, p.Walks() > walks, "round %d: walked again exactly when a limit changed", i+1)
		_, want, err := limits.DetectUsage(limits.WithRoot(root))
		require.NoError(t, err)
		assert.Equal(t, want, u, "round %d", i+1)
		assert.NotEqual(t, prev, u, "round %d changes the usage", i+1)
		prev = u
	}
}

// polled returns a poller of opts that has taken its first sample, closed
// at the end of the test.
func polled(t testing.TB, opts []limits.Option) (*limits.UsagePoller, *limits.Usage) {
	t.Helper()
	p, _, _, err := limits.NewUsagePoller(opts...)
	require.NoError(t, err)
	t.Cleanup(p.Close)
	var u limits.Usage
	require.NoError(t, p.Poll(&u))
	return p, &u
}

// TestUsagePollAllocatesNothing: once the first sample has run, a sample
// allocates nothing, on the pod tree and on the live host.
func TestUsagePollAllocatesNothing(t *testing.T) {
	for name, opts := range pollTargets(t) {
		t.Run(name, func(t *testing.T) {
			p, u := polled(t, opts)
			if allocs := testing.AllocsPerRun(50, func() { _ = p.Poll(u) }); allocs != 0 {
				t.Errorf("a sample allocates %v times", allocs)
			}
		})
	}
}

// BenchmarkUsagePoll is one sample of a UsagePoller, beside
// BenchmarkUsagePollPreadBaseline: the same kept-open files re-read with one
// pread each, nothing parsed.
func BenchmarkUsagePoll(b *testing.B) {
	for name, opts := range pollTargets(b) {
		b.Run(name, func(b *testing.B) {
			p, u := polled(b, opts)
			b.ReportAllocs()
			for b.Loop() {
				if err := p.Poll(u); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkUsagePollPreadBaseline(b *testing.B) {
	for name, opts := range pollTargets(b) {
		b.Run(name, func(b *testing.B) {
			p, u := polled(b, opts)
			base := baselineOf(b, p, u)
			b.ReportAllocs()
			for b.Loop() {
				base.pread()
			}
			b.ReportMetric(float64(len(base.paths)), "files/op")
		})
	}
}

// BenchmarkUsagePollOverPread runs a sample and its pread baseline in turn,
// each timed on its own, the order swapped every iteration, and reports
// their ratio (x-pread): load on the other cores slows both alike, so the
// ratio holds steady where two benchmarks run one after the other drift.
func BenchmarkUsagePollOverPread(b *testing.B) {
	for name, opts := range pollTargets(b) {
		b.Run(name, func(b *testing.B) {
			p, u := polled(b, opts)
			base := baselineOf(b, p, u)
			var polls, preads time.Duration
			poll := func() {
				start := time.Now()
				if err := p.Poll(u); err != nil {
					b.Fatal(err)
				}
				polls += time.Since(start)
			}
			pread := func() {
				start := time.Now()
				base.pread()
				preads += time.Since(start)
			}
			n := 0
			for b.Loop() {
				if n++; n%2 == 0 {
					poll()
					pread()
				} else {
					pread()
					poll()
				}
			}
			b.ReportMetric(float64(polls.Nanoseconds())/float64(n), "poll-ns/op")
			b.ReportMetric(float64(preads.Nanoseconds())/float64(n), "pread-ns/op")
			b.ReportMetric(float64(polls)/float64(preads), "x-pread")
		})
	}
}

// pollBaseline re-reads the files one sample of a poller reads, one pread
// each, nothing parsed.
type pollBaseline struct {
	b     *testing.B
	p     *limits.UsagePoller
	paths [][]byte // NUL-terminated
	buf   []byte
}

// baselineOf traces the files one sample of p reads, once p has taken the
// samples that settle its snapshot of the limit files.
func baselineOf(b *testing.B, p *limits.UsagePoller, u *limits.Usage) *pollBaseline {
	base := &pollBaseline{b: b, p: p, buf: make([]byte, 0, 8192)}
	for range 2 {
		require.NoError(b, p.Poll(u))
	}
	stop := limits.TraceReads(func(path []byte) { base.paths = append(base.paths, bytes.Clone(path)) })
	require.NoError(b, p.Poll(u))
	stop()
	require.NotEmpty(b, base.paths)
	return base
}

func (base *pollBaseline) pread() {
	var err error
	if base.buf, err = base.p.Preads(base.paths, base.buf); err != nil {
		base.b.Fatal(err)
	}
}
