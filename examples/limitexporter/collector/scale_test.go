package collector

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/stretchr/testify/require"
	"github.com/truelimit/truelimit/internal/readfile"
	"github.com/truelimit/truelimit/internal/treetest"
)

// scalePods makes the scale node: 2,500 pods of three containers with their
// pod and QoS slices, kubepods.slice and the root, 10,004 cgroups (the node
// benchmarks' tree, treetest.WriteKubeletNode).
const scalePods = 2500

var (
	scaleOnce sync.Once
	scale     treetest.KubeletNode
	scaleDir  string
)

// TestMain removes the scale node, written once per test process: its
// 90,000 files take some 20 s to write.
func TestMain(m *testing.M) {
	code := m.Run()
	if scaleDir != "" {
		_ = os.RemoveAll(scaleDir)
	}
	os.Exit(code)
}

func scaleNode(tb testing.TB) treetest.KubeletNode {
	scaleOnce.Do(func() {
		dir, err := os.MkdirTemp("", "limitexporter-scale-")
		require.NoError(tb, err)
		scaleDir = dir
		scale = treetest.WriteKubeletNode(tb, dir, scalePods)
		// Flush the new files, so that their writeback does not land
		// inside a timing.
		syscall.Sync()
	})
	if scale.Root == "" {
		tb.Fatal("the scale node could not be written")
	}
	return scale
}

// scrape gathers every metric once, as a scrape of /metrics does.
func scrape(tb testing.TB, c *Collector) int {
	mfs, err := c.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for _, mf := range mfs {
		n += len(mf.GetMetric())
	}
	return n
}

// BenchmarkScrape is one scrape of the scale node, scanning on every scrape
// (no WithMaxAge) without process views: node.Scan with usage and counters,
// limits.ForCgroup of the top, R/proc/cgroups, and the series built.
func BenchmarkScrape(b *testing.B) {
	k := scaleNode(b)
	c := New(WithRoot(k.Root), WithoutProcessViews())
	series := 0
	b.ReportAllocs()
	for b.Loop() {
		series = scrape(b, c)
	}
	b.ReportMetric(float64(len(k.Cgroups)), "cgroups/op")
	b.ReportMetric(float64(series), "series/op")
}

// scrapeFiles are the files of the scale node a scrape reads: per cgroup
// the limit files, memory.current, memory.events.local and cpu.stat (absent
// ones are opened and fail, as the scan opens them), the root's
// cgroup.controllers, mountinfo twice (the scan, ForCgroup) and
// proc/cgroups.
func scrapeFiles(k treetest.KubeletNode) [][]byte {
	per := []string{"memory.max", "memory.high", "cpu.max", "cpuset.cpus.effective", "pids.max",
		"memory.current", "memory.events.local", "cpu.stat"}
	var files [][]byte
	add := func(p string) { files = append(files, append([]byte(p), 0)) }
	add(filepath.Join(k.Root, "proc/self/mountinfo"))
	add(filepath.Join(k.Root, "sys/fs/cgroup/cgroup.controllers"))
	for _, cg := range k.Cgroups {
		for _, f := range per {
			add(filepath.Join(k.Root, "sys/fs/cgroup", cg, f))
		}
	}
	add(filepath.Join(k.Root, "proc/self/mountinfo"))
	add(filepath.Join(k.Root, "proc/cgroups"))
	return files
}

// ioBaseline reads the files one scrape reads (scrapeFiles), each opened
// beneath the root, read and closed, in the scan's order; nothing listed,
// parsed or built.
type ioBaseline struct {
	files [][]byte
	root  readfile.Root
	buf   []byte
}

func newIOBaseline(k treetest.KubeletNode) *ioBaseline {
	base := &ioBaseline{files: scrapeFiles(k), buf: make([]byte, 0, 4096)}
	base.root.Set(k.Root, readfile.Contained())
	return base
}

func (base *ioBaseline) read(tb testing.TB) {
	for _, p := range base.files {
		var err error
		if base.buf, err = base.root.Read(p, base.buf, 64<<10, readfile.AtShortRead); err != nil && !errors.Is(err, fs.ErrNotExist) {
			tb.Fatal(err)
		}
	}
}

// BenchmarkScrapeIOBaseline is the floor under BenchmarkScrape (ioBaseline).
func BenchmarkScrapeIOBaseline(b *testing.B) {
	base := newIOBaseline(scaleNode(b))
	defer base.root.Close()
	b.ReportAllocs()
	for b.Loop() {
		base.read(b)
	}
	b.ReportMetric(float64(len(base.files)), "files/op")
}

// BenchmarkScrapeOverIOBaseline interleaves a scrape (BenchmarkScrape) and
// its I/O baseline, which goes first every other time, and reports the
// median, lowest and highest of the ratio of their times: on a busy machine
// the two see the same load, unlike two benchmarks run one after the
// other. The bound is a median "scrape/baseline" of 1.25. Beside
// it, "text/baseline" is the median ratio of a scrape and promhttp's text
// encoding of its families (expfmt, into io.Discard) together.
func BenchmarkScrapeOverIOBaseline(b *testing.B) {
	k := scaleNode(b)
	base := newIOBaseline(k)
	defer base.root.Close()
	c := New(WithRoot(k.Root), WithoutProcessViews())
	timed := func(f func()) float64 {
		start := time.Now()
		f()
		return float64(time.Since(start))
	}
	var ratios, withText []float64
	for b.Loop() {
		var read float64
		baseline := func() { read = timed(func() { base.read(b) }) }
		odd := len(ratios)%2 == 1
		if odd {
			baseline()
		}
		var mfs []*dto.MetricFamily
		gather := timed(func() {
			var err error
			if mfs, err = c.Gather(); err != nil {
				b.Fatal(err)
			}
		})
		encode := timed(func() {
			enc := expfmt.NewEncoder(io.Discard, expfmt.NewFormat(expfmt.TypeTextPlain))
			for _, mf := range mfs {
				if err := enc.Encode(mf); err != nil {
					b.Fatal(err)
				}
			}
		})
		if !odd {
			baseline()
		}
		ratios = append(ratios, gather/read)
		withText = append(withText, (gather+encode)/read)
	}
	slices.Sort(ratios)
	slices.Sort(withText)
	b.ReportMetric(ratios[len(ratios)/2], "scrape/baseline")
	b.ReportMetric(ratios[0], "min-scrape/baseline")
	b.ReportMetric(ratios[len(ratios)-1], "max-scrape/baseline")
	b.ReportMetric(withText[len(withText)/2], "text/baseline")
}

// rss is the resident set of this process, VmRSS of /proc/self/status,
// after a collection that returns the free heap to the system: what the
// scrapes so far retain, not the garbage of the last one.
func rss(tb testing.TB) uint64 {
	debug.FreeOSMemory()
	data, err := os.ReadFile("/proc/self/status")
	require.NoError(tb, err)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			require.NoError(tb, err)
			return kb << 10
		}
	}
	tb.Fatal("no VmRSS in /proc/self/status")
	return 0
}

// TestScrapeRSSScale scrapes the scale node 100 times, scanning each time,
// and checks that the resident set after scrape 100 is at most 10% above
// the one after scrape 10: nothing a scrape builds is kept by the next.
// The first scrape's 64,600 series pass a Registry's checks
// (gatherChecked).
// It takes a minute or two (the node is written first): it runs where
// TRUELIMIT_SCALE is set, as scripts/test.sh sets it.
func TestScrapeRSSScale(t *testing.T) {
	if os.Getenv("TRUELIMIT_SCALE") == "" {
		t.Skip("TRUELIMIT_SCALE is not set: the scale node takes most of a minute to write and scrape 100 times")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc/self/status:", err)
	}
	k := scaleNode(t)
	c := New(WithRoot(k.Root), WithoutProcessViews())
	gatherChecked(t, c)
	var at10 uint64
	for i := 2; i <= 100; i++ {
		scrape(t, c)
		if i == 10 {
			at10 = rss(t)
		}
	}
	at100 := rss(t)
	t.Logf("RSS after scrape 10: %d KiB, after scrape 100: %d KiB (%+.1f%%)", at10>>10, at100>>10, 100*(float64(at100)/float64(at10)-1))
	require.LessOrEqual(t, float64(at100), 1.10*float64(at10))
}

// BenchmarkScrapeSnapshot is the scan half of BenchmarkScrape: the
// snapshot (node.Scan, ForCgroup, R/proc/cgroups, the diagnostics) without
// building the series.
func BenchmarkScrapeSnapshot(b *testing.B) {
	k := scaleNode(b)
	c := New(WithRoot(k.Root), WithoutProcessViews())
	b.ReportAllocs()
	for b.Loop() {
		if s := c.Snapshot(); s.Err != nil || len(s.Tree.Cgroups) != len(k.Cgroups) {
			b.Fatal(s.Err)
		}
	}
}
