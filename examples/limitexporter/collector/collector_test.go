package collector

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/truelimit/truelimit/internal/treetest"
)

var update = flag.Bool("update", false, "rewrite the golden files of TestCollectorOnTrees")

// deterministic are every metric but the scan's duration.
var deterministic = []string{
	"truelimit_memory_own_limit_bytes", "truelimit_memory_effective_limit_bytes",
	"truelimit_memory_own_high_bytes", "truelimit_memory_effective_high_bytes",
	"truelimit_cpu_own_limit_cpus", "truelimit_cpu_effective_limit_cpus",
	"truelimit_pids_own_limit", "truelimit_pids_effective_limit",
	"truelimit_memory_usage_bytes", "truelimit_memory_headroom_bytes", "truelimit_diagnostic",
	"truelimit_memory_high_events_total", "truelimit_memory_max_events_total", "truelimit_memory_oom_events_total",
	"truelimit_memory_oom_kills_total", "truelimit_cpu_periods_total", "truelimit_cpu_throttled_periods_total",
	"truelimit_cpu_throttled_seconds_total",
	"truelimit_cgroups", "truelimit_memory_cgroups", "truelimit_memory_cgroups_limit",
	"truelimit_cgroup_mode", "truelimit_scan_errors_total", "truelimit_scan_diagnostics",
}

// podmanViewTree is the podman pod tree seen from the host, with the
// container's cgroup.procs listing its process (PID 468), whose private
// cgroup namespace hides the pod's limits from it.
func podmanViewTree(t *testing.T) string {
	root := treetest.Copy(t, "../../../testdata/v2-podman-pod-crun-host-view")
	leaf := filepath.Join(root, "sys/fs/cgroup/machine.slice/machine-libpod_pod_0e0c5aa4adced410921f29114cecbba1cb065f4a4e05157751d3b26f693423d6.slice/libpod-b626c548b859a3b403e72f9d886d60ee996071ac4ae1d762feb50660d8977603.scope/container")
	require.NoError(t, os.WriteFile(filepath.Join(leaf, "cgroup.procs"), []byte("468\n"), 0o644))
	return root
}

// TestCollectorOnTrees compares every series the collector exports on the
// fixture trees with golden files (testdata/<tree>.prom, written with
// -update and checked by hand: see each case's note). Each diagnostic code
// the collector raises has its tree.
func TestCollectorOnTrees(t *testing.T) {
	fixture := func(name string) func(*testing.T) string {
		return func(*testing.T) string { return "../../../testdata/" + name }
	}
	for _, tc := range []struct {
		tree string
		root func(*testing.T) string
		// a series that must be in the golden file, checked also without it
		want string
	}{
		// gVisor's sandbox under system.slice: no pod limit applies.
		{"v2-runsc-literal-under-system-slice", fixture("v2-runsc-literal-under-system-slice"),
			`truelimit_diagnostic{code="container-outside-pod",container_id="230f569116fb7d6efadbbc059a5c5e602efc650c6027fc60aa3c44dedf042f39",id="/system.slice/kubepods-burstable-podbaa350d2_86ef_48b7_a432_d8c6d0f5850a.slice:cri-containerd:230f569116fb7d6efadbbc059a5c5e602efc650c6027fc60aa3c44dedf042f39",pod_uid="baa350d2-86ef-48b7-a432-d8c6d0f5850a",qos="burstable",runtime="cri-containerd"} 1`},
		// kubelet's cgroupfs names beside system.slice: on the QoS level,
		// the outermost, and on the guaranteed pods directly under kubepods.
		{"v2-k8s-cgroupfs-driver-systemd-host", fixture("v2-k8s-cgroupfs-driver-systemd-host"),
			`truelimit_diagnostic{code="driver-mismatch",container_id="",id="/kubepods/burstable",pod_uid="",qos="burstable",runtime=""} 1`},
		// 64981 memory cgroups of 65535.
		{"v1-memcg-ids-near-limit", fixture("v1-memcg-ids-near-limit"), "truelimit_memory_cgroups 64981"},
		// The pod slice's 256 MiB binds the container, whose own is max.
		{"v2-k8s-systemd-pod-limit-leaf-max", fixture("v2-k8s-systemd-pod-limit-leaf-max"), `code="limit-in-ancestor"`},
		// The container's process sees none of the pod's limits.
		{"v2-podman-pod-crun-host-view+procs", podmanViewTree, `code="limit-hidden-from-process"`},
		// Headroom at the pod (shared by its containers) and usage.
		{"v2-podman-pod-shared-limit-host-view", fixture("v2-podman-pod-shared-limit-host-view"), "truelimit_memory_headroom_bytes{"},
		// v1: headroom against the pod's limit; the app container's
		// OOM kill and throttling (777.123456789 s).
		{"v1-eks-sidecar-at-limit-pod-headroom-host-view", fixture("v1-eks-sidecar-at-limit-pod-headroom-host-view"), "truelimit_cpu_throttled_seconds_total{"},
		// memory.high below memory.max.
		{"v2-k8s-memoryqos-high-below-max", fixture("v2-k8s-memoryqos-high-below-max"), "truelimit_memory_effective_high_bytes{"},
	} {
		t.Run(tc.tree, func(t *testing.T) {
			c := New(WithRoot(tc.root(t)))
			golden := filepath.Join("testdata", tc.tree+".prom")
			if *update {
				require.NoError(t, os.WriteFile(golden, gather(t, c), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.Contains(t, string(want), tc.want)
			require.NoError(t, testutil.GatherAndCompare(c, strings.NewReader(string(want)), deterministic...))
			gatherChecked(t, c)
		})
	}
}

// gather renders the collector's deterministic metrics in the text format.
func gather(t *testing.T, c *Collector) []byte {
	var deterministic []*dto.MetricFamily
	for _, mf := range gatherChecked(t, c) {
		if mf.GetName() != "truelimit_scan_duration_seconds" {
			deterministic = append(deterministic, mf)
		}
	}
	return text(t, deterministic)
}

// text renders metric families in the text format.
func text(t testing.TB, mfs []*dto.MetricFamily) []byte {
	var b bytes.Buffer
	enc := expfmt.NewEncoder(&b, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		require.NoError(t, enc.Encode(mf))
	}
	return b.Bytes()
}

// gatherChecked gathers once and checks the families as a Registry checks
// a collector's: prometheus.Gatherers checks every series (label names and
// UTF-8 values valid, no two alike, one value of the family's type) and
// sorts the families and their series. They must come out unchanged, in
// the order Gather built them.
func gatherChecked(t testing.TB, g prometheus.Gatherer) []*dto.MetricFamily {
	mfs, err := g.Gather()
	require.NoError(t, err)
	checked, err := prometheus.Gatherers{prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) { return mfs, nil })}.Gather()
	require.NoError(t, err)
	require.Equal(t, string(text(t, checked)), string(text(t, mfs)))
	return mfs
}

// TestCardinality checks that the series are bounded by the cgroups: at
// most one per metric and cgroup, plus one per diagnostic, and that no
// label holds a PID or a number that changes from scan to scan.
func TestCardinality(t *testing.T) {
	c := New(WithRoot(podmanViewTree(t)))
	mfs := gatherChecked(t, c)
	s := c.Snapshot()
	perCgroup := 0
	for _, mf := range mfs {
		n := len(mf.GetMetric())
		if strings.HasPrefix(mf.GetName(), "truelimit_scan_") || mf.GetName() == "truelimit_cgroup_mode" ||
			mf.GetName() == "truelimit_cgroups" || strings.HasPrefix(mf.GetName(), "truelimit_memory_cgroups") {
			assert.LessOrEqual(t, n, 20, mf.GetName())
			continue
		}
		perCgroup += n
		if mf.GetName() != "truelimit_diagnostic" {
			assert.LessOrEqual(t, n, len(s.Tree.Cgroups), mf.GetName())
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				assert.Contains(t, []string{"id", "pod_uid", "container_id", "qos", "runtime", "source", "code"}, l.GetName())
				assert.NotContains(t, l.GetValue(), "468", "no PID in a label")
			}
		}
	}
	assert.LessOrEqual(t, perCgroup, 10*len(s.Tree.Cgroups)+len(s.Diagnostics))
}

// TestMaxAge checks that a scrape within WithMaxAge reuses the scan and a
// later one scans again.
func TestMaxAge(t *testing.T) {
	now := time.Unix(1000, 0)
	c := New(WithRoot("../../../testdata/v2-k8s-systemd-pod-limit-leaf-max"), WithMaxAge(10*time.Second), withClock(func() time.Time { return now }))
	first := c.Snapshot()
	now = now.Add(9 * time.Second)
	assert.Same(t, first, c.Snapshot())
	now = now.Add(2 * time.Second)
	assert.NotSame(t, first, c.Snapshot())
}

// TestScanError checks that a failed scan exports no cgroup and counts the
// error.
func TestScanError(t *testing.T) {
	c := New(WithRoot(treetest.Write(t, map[string]string{"proc/self/mountinfo": "garbage\n"})))
	for range 2 {
		require.Error(t, c.Snapshot().Err)
	}
	const want = "# HELP truelimit_scan_errors_total Scans that failed since the exporter started.\n# TYPE truelimit_scan_errors_total counter\ntruelimit_scan_errors_total 3\n"
	require.NoError(t, testutil.GatherAndCompare(c, strings.NewReader(want), "truelimit_scan_errors_total", "truelimit_cgroups"))
}

// TestLabelsNotUTF8: a cgroup's name is bytes, a label value must be UTF-8
// (a Registry fails the whole scrape on one that is not): the bad bytes of
// a path become U+FFFD, in the id and in what systemd's parsing finds.
func TestLabelsNotUTF8(t *testing.T) {
	var l labelSet
	l.set("/kubepods.slice/kubepods-pod8a3c1f2e_5b7d_4e9a_b1c3_2d4f6a8b0c1e.slice/cri-containerd-\xff.scope")
	assert.Equal(t, "/kubepods.slice/kubepods-pod8a3c1f2e_5b7d_4e9a_b1c3_2d4f6a8b0c1e.slice/cri-containerd-\uFFFD.scope", l.values[1])
	for i, p := range l.sorted {
		assert.True(t, utf8.ValidString(p.GetValue()), "%s", p.GetName())
		if i > 0 {
			assert.Less(t, l.sorted[i-1].GetName(), p.GetName(), "sorted by name")
		}
	}
	assert.Equal(t, "8a3c1f2e-5b7d-4e9a-b1c3-2d4f6a8b0c1e", l.values[2], "pod_uid")
}
