package collector

import (
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/systemd"
)

// cgroupLabels are the labels of every per-cgroup series, in this order.
var cgroupLabels = []string{"id", "pod_uid", "container_id", "qos", "runtime"}

func cgroupDesc(name, help string, extra ...string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, append(append([]string(nil), cgroupLabels...), extra...), nil)
}

// The metrics. README.md (Prometheus exporter) lists them.
var (
	memoryOwnLimit = cgroupDesc("truelimit_memory_own_limit_bytes",
		"The cgroup's own hard memory limit: v2 memory.max, v1 memory.limit_in_bytes. No sample when unlimited or unknown.")
	memoryEffectiveLimit = cgroupDesc("truelimit_memory_effective_limit_bytes",
		"The hard memory limit that binds a process in the cgroup: the lowest of its own and its ancestors'.")
	memoryOwnHigh = cgroupDesc("truelimit_memory_own_high_bytes",
		"The cgroup's own v2 memory.high.")
	memoryEffectiveHigh = cgroupDesc("truelimit_memory_effective_high_bytes",
		"The memory.high that binds a process in the cgroup: the lowest of its own and its ancestors'.")
	cpuOwnLimit = cgroupDesc("truelimit_cpu_own_limit_cpus",
		"The cgroup's own CPU bandwidth limit in CPUs: v2 cpu.max, v1 cpu.cfs_quota_us / cpu.cfs_period_us.")
	cpuEffectiveLimit = cgroupDesc("truelimit_cpu_effective_limit_cpus",
		"The CPU bandwidth limit in CPUs that binds a process in the cgroup: the lowest of its own and its ancestors'.")
	pidsOwnLimit = cgroupDesc("truelimit_pids_own_limit",
		"The cgroup's own pids.max.")
	pidsEffectiveLimit = cgroupDesc("truelimit_pids_effective_limit",
		"The pids.max that binds a process in the cgroup: the lowest of its own and its ancestors'.")
	memoryUsage = cgroupDesc("truelimit_memory_usage_bytes",
		"The cgroup's memory usage: v2 memory.current, v1 memory.usage_in_bytes.")
	memoryHeadroom = cgroupDesc("truelimit_memory_headroom_bytes",
		"How much more the cgroup may use before a hard memory limit binds: over it and its ancestors with a limit, the lowest limit minus that level's usage; source is that level.",
		"source")
	memoryHighEvents = cgroupDesc("truelimit_memory_high_events_total",
		"Times the cgroup's own memory.high throttled it: v2 memory.events.local high (Linux 5.2+).")
	memoryMaxEvents = cgroupDesc("truelimit_memory_max_events_total",
		"Times the cgroup's own hard limit was about to be exceeded: v2 memory.events.local max (Linux 5.2+), v1 memory.failcnt.")
	memoryOOMEvents = cgroupDesc("truelimit_memory_oom_events_total",
		"Times the cgroup's own hard limit ran out and allocations failed: v2 memory.events.local oom (Linux 5.2+).")
	memoryOOMKills = cgroupDesc("truelimit_memory_oom_kills_total",
		"Processes of the cgroup itself the OOM killer killed, whichever limit was hit: v2 memory.events.local oom_kill (Linux 5.2+), v1 memory.oom_control oom_kill (4.13+).")
	cpuPeriods = cgroupDesc("truelimit_cpu_periods_total",
		"CFS bandwidth periods of the cgroup's own CPU limit that elapsed: cpu.stat nr_periods.")
	cpuThrottledPeriods = cgroupDesc("truelimit_cpu_throttled_periods_total",
		"Periods that ended with the cgroup throttled at its own CPU limit: cpu.stat nr_throttled.")
	cpuThrottledSeconds = cgroupDesc("truelimit_cpu_throttled_seconds_total",
		"Time the cgroup's tasks spent throttled at its own CPU limit: cpu.stat throttled_usec (v1 throttled_time).")
	diagnostic = cgroupDesc("truelimit_diagnostic",
		"1 for each diagnostic of the cgroup, by code (docs/SEMANTICS.md, Diagnostics).",
		"code")

	cgroups = prometheus.NewDesc("truelimit_cgroups",
		"How many cgroups the scan found.", nil, nil)
	memoryCgroupsDesc = prometheus.NewDesc("truelimit_memory_cgroups",
		"How many memory cgroups exist: /proc/cgroups num_cgroups of memory, deleted ones whose memory is still charged included.", nil, nil)
	memoryCgroupsLimit = prometheus.NewDesc("truelimit_memory_cgroups_limit",
		"How many memory cgroups the kernel can have (16-bit IDs): mkdir fails with ENOSPC beyond.", nil, nil)
	mode = prometheus.NewDesc("truelimit_cgroup_mode",
		"1 for the host's cgroup mode: v1, v2, hybrid or none.", []string{"mode"}, nil)
	scanDuration = prometheus.NewDesc("truelimit_scan_duration_seconds",
		"How long the last scan took.", nil, nil)
	scanErrors = prometheus.NewDesc("truelimit_scan_errors_total",
		"Scans that failed since the exporter started.", nil, nil)
	scanDiagnostics = prometheus.NewDesc("truelimit_scan_diagnostics",
		"Diagnostics of the last scan itself, by code: files that could not be read or held bad values, controllers missing, hierarchies unreachable.",
		[]string{"code"}, nil)
)

var allDescs = []*prometheus.Desc{
	memoryOwnLimit, memoryEffectiveLimit, memoryOwnHigh, memoryEffectiveHigh,
	cpuOwnLimit, cpuEffectiveLimit, pidsOwnLimit, pidsEffectiveLimit,
	memoryUsage, memoryHeadroom,
	memoryHighEvents, memoryMaxEvents, memoryOOMEvents, memoryOOMKills, cpuPeriods, cpuThrottledPeriods, cpuThrottledSeconds,
	diagnostic,
	cgroups, memoryCgroupsDesc, memoryCgroupsLimit, mode, scanDuration, scanErrors, scanDiagnostics,
}

// Describe sends the descriptors of every metric the collector exports.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range allDescs {
		ch <- d
	}
}

// Collect sends the metrics of a snapshot (see Snapshot).
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	s := c.Snapshot()
	ch <- prometheus.MustNewConstMetric(scanErrors, prometheus.CounterValue, float64(s.Errors))
	ch <- prometheus.MustNewConstMetric(scanDuration, prometheus.GaugeValue, s.Duration.Seconds())
	if s.Mode != "" {
		ch <- prometheus.MustNewConstMetric(mode, prometheus.GaugeValue, 1, s.Mode)
	}
	if s.MemoryCgroups.Known {
		ch <- prometheus.MustNewConstMetric(memoryCgroupsDesc, prometheus.GaugeValue, float64(s.MemoryCgroups.Value))
		ch <- prometheus.MustNewConstMetric(memoryCgroupsLimit, prometheus.GaugeValue, MemcgIDLimit)
	}
	if s.Tree == nil {
		return
	}
	t := s.Tree
	ch <- prometheus.MustNewConstMetric(cgroups, prometheus.GaugeValue, float64(len(t.Cgroups)))
	counts := map[limits.Code]int{}
	for _, d := range t.Diagnostics {
		if d.Code != limits.CodeLimitHiddenFromProcess { // a cgroup's: in truelimit_diagnostic
			counts[d.Code]++
		}
	}
	for code, n := range counts {
		ch <- prometheus.MustNewConstMetric(scanDiagnostics, prometheus.GaugeValue, float64(n), string(code))
	}
	diags := s.Diagnostics
	for i := range t.Cgroups {
		cg := &t.Cgroups[i]
		e := newEmitter(ch, cg.Path)
		e.limit(memoryOwnLimit, cg.Own.Memory)
		e.limit(memoryEffectiveLimit, cg.Effective.Memory)
		e.limit(memoryOwnHigh, cg.Own.High)
		e.limit(memoryEffectiveHigh, cg.Effective.High)
		e.cpu(cpuOwnLimit, cg.Own.CPU)
		e.cpu(cpuEffectiveLimit, cg.Effective.CPU)
		e.limit(pidsOwnLimit, cg.Own.Pids)
		e.limit(pidsEffectiveLimit, cg.Effective.Pids)
		if u := cg.Usage; u != nil {
			e.count(memoryUsage, prometheus.GaugeValue, u.Current, 1)
			if u.Headroom.Known {
				e.send(memoryHeadroom, prometheus.GaugeValue, float64(u.Headroom.Bytes), e.with("source", u.Headroom.Source))
			}
		}
		if k := cg.Counters; k != nil {
			e.count(memoryHighEvents, prometheus.CounterValue, k.High, 1)
			e.count(memoryMaxEvents, prometheus.CounterValue, k.Max, 1)
			e.count(memoryOOMEvents, prometheus.CounterValue, k.OOM, 1)
			e.count(memoryOOMKills, prometheus.CounterValue, k.OOMKill, 1)
			e.count(cpuPeriods, prometheus.CounterValue, k.Periods, 1)
			e.count(cpuThrottledPeriods, prometheus.CounterValue, k.ThrottledPeriods, 1)
			e.count(cpuThrottledSeconds, prometheus.CounterValue, k.ThrottledUsec, 1e6)
		}
		for ; len(diags) > 0 && diags[0].Path == cg.Path; diags = diags[1:] {
			e.send(diagnostic, prometheus.GaugeValue, 1, e.with("code", string(diags[0].Code)))
		}
	}
	// The diagnostics added after the tree's (memcg-leak-risk at the top).
	for _, d := range diags {
		e := newEmitter(ch, d.Path)
		e.send(diagnostic, prometheus.GaugeValue, 1, e.with("code", string(d.Code)))
	}
}

// Names of the per-cgroup labels, sorted, as a metric's label pairs must be.
var (
	nameContainerID = "container_id"
	nameID          = "id"
	namePodUID      = "pod_uid"
	nameQoS         = "qos"
	nameRuntime     = "runtime"
)

// emitter sends the series of one cgroup. They share one set of label
// pairs, built once per cgroup: client_golang's const metrics build one per
// series, some 65,000 sets of six allocations on a node of 10,000 cgroups.
type emitter struct {
	ch     chan<- prometheus.Metric
	values [5]string
	pairs  [5]dto.LabelPair
	labels []*dto.LabelPair // sorted by name
	free   []metric         // where the next series go
}

// newEmitter parses path's names (package systemd) into its labels.
func newEmitter(ch chan<- prometheus.Metric, path string) *emitter {
	info := systemd.Parse(path)
	e := &emitter{ch: ch, values: [5]string{info.ContainerID, path, info.PodUID, string(info.QoS), string(info.Runtime)}}
	names := [5]*string{&nameContainerID, &nameID, &namePodUID, &nameQoS, &nameRuntime}
	e.labels = make([]*dto.LabelPair, 5)
	for i := range e.pairs {
		e.pairs[i] = dto.LabelPair{Name: names[i], Value: &e.values[i]}
		e.labels[i] = &e.pairs[i]
	}
	return e
}

// with returns the cgroup's label pairs and one more, in name order.
func (e *emitter) with(name, value string) []*dto.LabelPair {
	extra := &dto.LabelPair{Name: &name, Value: &value}
	out := make([]*dto.LabelPair, 0, len(e.labels)+1)
	i := 0
	for ; i < len(e.labels) && e.labels[i].GetName() < name; i++ {
		out = append(out, e.labels[i])
	}
	return append(append(out, extra), e.labels[i:]...)
}

func (e *emitter) send(d *prometheus.Desc, typ prometheus.ValueType, v float64, labels []*dto.LabelPair) {
	if len(e.free) == 0 {
		e.free = make([]metric, 8)
	}
	m := &e.free[0]
	e.free = e.free[1:]
	*m = metric{desc: d, typ: typ, value: v, labels: labels}
	e.ch <- m
}

func (e *emitter) limit(d *prometheus.Desc, l limits.Limit) {
	if l.State == limits.Limited {
		e.send(d, prometheus.GaugeValue, float64(l.Value), e.labels)
	}
}

func (e *emitter) cpu(d *prometheus.Desc, l limits.CPULimit) {
	if l.State == limits.Limited {
		e.send(d, prometheus.GaugeValue, l.CPUs(), e.labels)
	}
}

// count sends n divided by unit, when it is known.
func (e *emitter) count(d *prometheus.Desc, typ prometheus.ValueType, n limits.Count, unit float64) {
	if n.Known {
		e.send(d, typ, float64(n.Value)/unit, e.labels)
	}
}

// metric is one series of a cgroup (prometheus.Metric).
type metric struct {
	desc   *prometheus.Desc
	typ    prometheus.ValueType
	value  float64
	labels []*dto.LabelPair
}

func (m *metric) Desc() *prometheus.Desc { return m.desc }

// Write fills out with the series; out shares m's label pairs, which no
// one changes.
func (m *metric) Write(out *dto.Metric) error {
	out.Label = m.labels
	if m.typ == prometheus.CounterValue {
		out.Counter = &dto.Counter{Value: &m.value}
	} else {
		out.Gauge = &dto.Gauge{Value: &m.value}
	}
	return nil
}
