package collector

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"

	dto "github.com/prometheus/client_model/go"
	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/node"
	"github.com/truelimit/truelimit/systemd"
)

// family is one metric; name, help and typ are a MetricFamily's, which
// points at them.
type family struct {
	name, help string
	typ        dto.MetricType
	// value is a cgroup's sample, false where it has none; nil for the
	// metrics that are not one series per cgroup.
	value func(cg *node.Cgroup) (float64, bool)
}

var (
	gauge   = dto.MetricType_GAUGE
	counter = dto.MetricType_COUNTER
)

func limit(l limits.Limit) (float64, bool)   { return float64(l.Value), l.State == limits.Limited }
func cpus(l limits.CPULimit) (float64, bool) { return l.CPUs(), l.State == limits.Limited }

// count is n divided by unit, when it is known.
func count(n limits.Count, unit float64) (float64, bool) { return float64(n.Value) / unit, n.Known }

// counters is one of a cgroup's counters, scaled by unit.
func counters(unit float64, n func(*node.CgroupCounters) limits.Count) func(*node.Cgroup) (float64, bool) {
	return func(cg *node.Cgroup) (float64, bool) {
		if cg.Counters == nil {
			return 0, false
		}
		return count(n(cg.Counters), unit)
	}
}

// The metrics, one series per cgroup at most. README.md (Prometheus
// exporter) lists them.
var perCgroup = []family{
	{"truelimit_memory_own_limit_bytes",
		"The cgroup's own hard memory limit: v2 memory.max, v1 memory.limit_in_bytes. No sample when unlimited or unknown.",
		gauge, func(cg *node.Cgroup) (float64, bool) { return limit(cg.Own.Memory) }},
	{"truelimit_memory_effective_limit_bytes",
		"The hard memory limit that binds a process in the cgroup: the lowest of its own and its ancestors'.",
		gauge, func(cg *node.Cgroup) (float64, bool) { return limit(cg.Effective.Memory) }},
	{"truelimit_memory_own_high_bytes",
		"The cgroup's own v2 memory.high.",
		gauge, func(cg *node.Cgroup) (float64, bool) { return limit(cg.Own.High) }},
	{"truelimit_memory_effective_high_bytes",
		"The memory.high that binds a process in the cgroup: the lowest of its own and its ancestors'.",
		gauge, func(cg *node.Cgroup) (float64, bool) { return limit(cg.Effective.High) }},
	{"truelimit_cpu_own_limit_cpus",
		"The cgroup's own CPU bandwidth limit in CPUs: v2 cpu.max, v1 cpu.cfs_quota_us / cpu.cfs_period_us.",
		gauge, func(cg *node.Cgroup) (float64, bool) { return cpus(cg.Own.CPU) }},
	{"truelimit_cpu_effective_limit_cpus",
		"The CPU bandwidth limit in CPUs that binds a process in the cgroup: the lowest of its own and its ancestors'.",
		gauge, func(cg *node.Cgroup) (float64, bool) { return cpus(cg.Effective.CPU) }},
	{"truelimit_pids_own_limit",
		"The cgroup's own pids.max.",
		gauge, func(cg *node.Cgroup) (float64, bool) { return limit(cg.Own.Pids) }},
	{"truelimit_pids_effective_limit",
		"The pids.max that binds a process in the cgroup: the lowest of its own and its ancestors'.",
		gauge, func(cg *node.Cgroup) (float64, bool) { return limit(cg.Effective.Pids) }},
	{"truelimit_memory_usage_bytes",
		"The cgroup's memory usage: v2 memory.current, v1 memory.usage_in_bytes.",
		gauge, func(cg *node.Cgroup) (float64, bool) {
			if cg.Usage == nil {
				return 0, false
			}
			return count(cg.Usage.Current, 1)
		}},
	{"truelimit_memory_high_events_total",
		"Times the cgroup's own memory.high throttled it: v2 memory.events.local high (Linux 5.2+).",
		counter, counters(1, func(k *node.CgroupCounters) limits.Count { return k.High })},
	{"truelimit_memory_max_events_total",
		"Times the cgroup's own hard limit was about to be exceeded: v2 memory.events.local max (Linux 5.2+), v1 memory.failcnt.",
		counter, counters(1, func(k *node.CgroupCounters) limits.Count { return k.Max })},
	{"truelimit_memory_oom_events_total",
		"Times the cgroup's own hard limit ran out and allocations failed: v2 memory.events.local oom (Linux 5.2+).",
		counter, counters(1, func(k *node.CgroupCounters) limits.Count { return k.OOM })},
	{"truelimit_memory_oom_kills_total",
		"Processes of the cgroup itself the OOM killer killed, whichever limit was hit: v2 memory.events.local oom_kill (Linux 5.2+), v1 memory.oom_control oom_kill (4.13+).",
		counter, counters(1, func(k *node.CgroupCounters) limits.Count { return k.OOMKill })},
	{"truelimit_cpu_periods_total",
		"CFS bandwidth periods of the cgroup's own CPU limit that elapsed: cpu.stat nr_periods.",
		counter, counters(1, func(k *node.CgroupCounters) limits.Count { return k.Periods })},
	{"truelimit_cpu_throttled_periods_total",
		"Periods that ended with the cgroup throttled at its own CPU limit: cpu.stat nr_throttled.",
		counter, counters(1, func(k *node.CgroupCounters) limits.Count { return k.ThrottledPeriods })},
	{"truelimit_cpu_throttled_seconds_total",
		"Time the cgroup's tasks spent throttled at its own CPU limit: cpu.stat throttled_usec (v1 throttled_time).",
		counter, counters(1e6, func(k *node.CgroupCounters) limits.Count { return k.ThrottledUsec })},
}

// The metrics with a label beyond the cgroup's, and the node's.
var (
	memoryHeadroom = family{name: "truelimit_memory_headroom_bytes", typ: gauge,
		help: "How much more the cgroup may use before a hard memory limit binds: over it and its ancestors with a limit, the lowest limit minus that level's usage; source is that level."}
	diagnostic = family{name: "truelimit_diagnostic", typ: gauge,
		help: "1 for each diagnostic of the cgroup, by code (docs/SEMANTICS.md, Diagnostics)."}

	cgroupsFamily = family{name: "truelimit_cgroups", typ: gauge,
		help: "How many cgroups the scan found."}
	memoryCgroupsFamily = family{name: "truelimit_memory_cgroups", typ: gauge,
		help: "How many memory cgroups exist: /proc/cgroups num_cgroups of memory, deleted ones whose memory is still charged included."}
	memoryCgroupsLimit = family{name: "truelimit_memory_cgroups_limit", typ: gauge,
		help: "How many memory cgroups the kernel can have (16-bit IDs): mkdir fails with ENOSPC beyond."}
	mode = family{name: "truelimit_cgroup_mode", typ: gauge,
		help: "1 for the host's cgroup mode: v1, v2, hybrid or none."}
	scanDuration = family{name: "truelimit_scan_duration_seconds", typ: gauge,
		help: "How long the last scan took."}
	scanErrors = family{name: "truelimit_scan_errors_total", typ: counter,
		help: "Scans that failed since the exporter started."}
	scanDiagnostics = family{name: "truelimit_scan_diagnostics", typ: gauge,
		help: "Diagnostics of the last scan itself, by code: files that could not be read or held bad values, controllers missing, hierarchies unreachable."}
)

// Label names, as the label pairs point at them.
var (
	nameCode        = "code"
	nameContainerID = "container_id"
	nameID          = "id"
	nameMode        = "mode"
	namePodUID      = "pod_uid"
	nameQoS         = "qos"
	nameRuntime     = "runtime"
	nameSource      = "source"
)

// Gather returns the metric families of a snapshot (see Snapshot), sorted
// by name, each one's series sorted by their label values in label-name
// order, as a prometheus.Registry returns them: Collector is a
// prometheus.Gatherer for promhttp.HandlerFor. It builds the families
// directly rather than through a Registry, whose checks of every series
// (label names and values valid, no two alike) and sort cost a scrape of
// 10,000 cgroups as much as a fifth of reading their files: the series are
// valid by construction (a cgroup path that is not UTF-8 is exported with
// U+FFFD for its bad bytes), one per cgroup and metric, and the cgroups are
// sorted once. The error is always nil: a failed scan shows in
// truelimit_scan_errors_total.
func (c *Collector) Gather() ([]*dto.MetricFamily, error) {
	s := c.Snapshot()
	var b builder
	b.single(&scanErrors, float64(s.Errors), nil)
	b.single(&scanDuration, s.Duration.Seconds(), nil)
	if s.Mode != "" {
		b.single(&mode, 1, b.with(nil, &nameMode, s.Mode))
	}
	if s.MemoryCgroups.Known {
		b.single(&memoryCgroupsFamily, float64(s.MemoryCgroups.Value), nil)
		b.single(&memoryCgroupsLimit, MemcgIDLimit, nil)
	}
	if t := s.Tree; t != nil {
		b.single(&cgroupsFamily, float64(len(t.Cgroups)), nil)
		b.scanDiagnostics(t.Diagnostics)
		b.cgroups(t, s.Diagnostics)
	}
	slices.SortFunc(b.mfs, func(x, y *dto.MetricFamily) int { return strings.Compare(x.GetName(), y.GetName()) })
	return b.mfs, nil
}

// builder builds the families of one Gather. It hands out the series, their
// values and label pairs from chunks rather than one allocation each.
type builder struct {
	mfs      []*dto.MetricFamily
	metrics  []dto.Metric
	gauges   []dto.Gauge
	counters []dto.Counter
	values   []float64
	strs     []string
	pairs    []dto.LabelPair
	ptrs     []*dto.LabelPair
}

// next hands out the first element of *chunk, refilling it when empty.
func next[T any](chunk *[]T) *T {
	if len(*chunk) == 0 {
		*chunk = make([]T, 1024)
	}
	p := &(*chunk)[0]
	*chunk = (*chunk)[1:]
	return p
}

// family adds f's family with room for n series.
func (b *builder) family(f *family, n int) *dto.MetricFamily {
	mf := &dto.MetricFamily{Name: &f.name, Help: &f.help, Type: &f.typ, Metric: make([]*dto.Metric, 0, n)}
	b.mfs = append(b.mfs, mf)
	return mf
}

// add appends a series with labels and value v to mf.
func (b *builder) add(mf *dto.MetricFamily, labels []*dto.LabelPair, v float64) {
	m := next(&b.metrics)
	value := next(&b.values)
	*value = v
	m.Label = labels
	if mf.GetType() == dto.MetricType_COUNTER {
		m.Counter = next(&b.counters)
		m.Counter.Value = value
	} else {
		m.Gauge = next(&b.gauges)
		m.Gauge.Value = value
	}
	mf.Metric = append(mf.Metric, m)
}

// single adds f's family with one series.
func (b *builder) single(f *family, v float64, labels []*dto.LabelPair) {
	b.add(b.family(f, 1), labels, v)
}

// with returns labels with name=value added in name order; labels is
// sorted by name and stays as it is.
func (b *builder) with(labels []*dto.LabelPair, name *string, value string) []*dto.LabelPair {
	if len(b.ptrs) < len(labels)+1 {
		b.ptrs = make([]*dto.LabelPair, 1024)
	}
	out := b.ptrs[: 0 : len(labels)+1]
	b.ptrs = b.ptrs[len(labels)+1:]
	p := next(&b.pairs)
	p.Name, p.Value = name, next(&b.strs)
	*p.Value = value
	i := 0
	for ; i < len(labels) && labels[i].GetName() < *name; i++ {
		out = append(out, labels[i])
	}
	return append(append(out, p), labels[i:]...)
}

// scanDiagnostics adds truelimit_scan_diagnostics: the scan's diagnostics
// counted by code, those of one cgroup (limit-hidden-from-process, in
// truelimit_diagnostic) left out.
func (b *builder) scanDiagnostics(ds []limits.Diagnostic) {
	counts := map[limits.Code]int{}
	for _, d := range ds {
		if d.Code != limits.CodeLimitHiddenFromProcess {
			counts[d.Code]++
		}
	}
	if len(counts) == 0 {
		return
	}
	codes := slices.Sorted(func(yield func(limits.Code) bool) {
		for code := range counts {
			if !yield(code) {
				return
			}
		}
	})
	mf := b.family(&scanDiagnostics, len(codes))
	for _, code := range codes {
		b.add(mf, b.with(nil, &nameCode, string(code)), float64(counts[code]))
	}
}

// labelSet is a cgroup's labels: the values, their pairs, and the pairs
// sorted by name as a series holds them.
type labelSet struct {
	values [5]string // container_id, id, pod_uid, qos, runtime
	pairs  [5]dto.LabelPair
	sorted [5]*dto.LabelPair
}

// set makes l the labels of the cgroup at path: id is the path, the others
// what package systemd's name parsing finds in it. A path that is not UTF-8
// has U+FFFD for its bad bytes, as a label value must be UTF-8.
func (l *labelSet) set(path string) {
	if !utf8.ValidString(path) {
		path = strings.ToValidUTF8(path, "\uFFFD")
	}
	info := systemd.Parse(path)
	l.values = [5]string{info.ContainerID, path, info.PodUID, string(info.QoS), string(info.Runtime)}
	for i, name := range [5]*string{&nameContainerID, &nameID, &namePodUID, &nameQoS, &nameRuntime} {
		l.pairs[i] = dto.LabelPair{Name: name, Value: &l.values[i]}
		l.sorted[i] = &l.pairs[i]
	}
}

// compare orders label sets as a Registry orders their series: by
// container_id, then id (unique to a cgroup).
func (l *labelSet) compare(o *labelSet) int {
	return cmp.Or(strings.Compare(l.values[0], o.values[0]), strings.Compare(l.values[1], o.values[1]))
}

// cgroups adds the per-cgroup families and truelimit_diagnostic, whose
// diagnostics (in path order, those of the tree's cgroups first) are ds.
func (b *builder) cgroups(t *node.Tree, ds []Diagnostic) {
	sets := make([]labelSet, len(t.Cgroups))
	order := make([]int, len(t.Cgroups))
	for i := range t.Cgroups {
		sets[i].set(t.Cgroups[i].Path)
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int { return sets[x].compare(&sets[y]) })
	for f := range perCgroup {
		f := &perCgroup[f]
		mf := b.family(f, len(order))
		for _, i := range order {
			if v, ok := f.value(&t.Cgroups[i]); ok {
				b.add(mf, sets[i].sorted[:], v)
			}
		}
		if len(mf.Metric) == 0 {
			b.mfs = b.mfs[:len(b.mfs)-1]
		}
	}
	headroom := b.family(&memoryHeadroom, len(order))
	for _, i := range order {
		if u := t.Cgroups[i].Usage; u != nil && u.Headroom.Known {
			b.add(headroom, b.with(sets[i].sorted[:], &nameSource, u.Headroom.Source), float64(u.Headroom.Bytes))
		}
	}
	if len(headroom.Metric) == 0 {
		b.mfs = b.mfs[:len(b.mfs)-1]
	}
	b.diagnostics(t, sets, ds)
}

// diagnostics adds truelimit_diagnostic, its series sorted by code, then
// by the cgroup's labels.
func (b *builder) diagnostics(t *node.Tree, sets []labelSet, ds []Diagnostic) {
	if len(ds) == 0 {
		return
	}
	type series struct {
		code   string
		labels *labelSet
	}
	all := make([]series, 0, len(ds))
	for i := range t.Cgroups {
		for ; len(ds) > 0 && ds[0].Path == t.Cgroups[i].Path; ds = ds[1:] {
			all = append(all, series{string(ds[0].Code), &sets[i]})
		}
	}
	// The diagnostics added after the tree's (memcg-leak-risk at the top).
	for _, d := range ds {
		l := new(labelSet)
		l.set(d.Path)
		all = append(all, series{string(d.Code), l})
	}
	slices.SortFunc(all, func(x, y series) int {
		return cmp.Or(strings.Compare(x.code, y.code), x.labels.compare(y.labels))
	})
	mf := b.family(&diagnostic, len(all))
	for _, s := range all {
		b.add(mf, b.with(s.labels.sorted[:], &nameCode, s.code), 1)
	}
}
