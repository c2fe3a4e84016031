package collector

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/node"
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
	labels := make([]string, len(cgroupLabels), len(cgroupLabels)+1)
	for i := range t.Cgroups {
		cg := &t.Cgroups[i]
		info := systemd.Parse(cg.Path)
		labels = append(labels[:0], cg.Path, info.PodUID, info.ContainerID, string(info.QoS), string(info.Runtime))
		limit(ch, memoryOwnLimit, cg.Own.Memory, labels)
		limit(ch, memoryEffectiveLimit, cg.Effective.Memory, labels)
		limit(ch, memoryOwnHigh, cg.Own.High, labels)
		limit(ch, memoryEffectiveHigh, cg.Effective.High, labels)
		cpu(ch, cpuOwnLimit, cg.Own.CPU, labels)
		cpu(ch, cpuEffectiveLimit, cg.Effective.CPU, labels)
		limit(ch, pidsOwnLimit, cg.Own.Pids, labels)
		limit(ch, pidsEffectiveLimit, cg.Effective.Pids, labels)
		usage(ch, cg.Usage, labels)
		if k := cg.Counters; k != nil {
			counter(ch, memoryHighEvents, k.High, 1, labels)
			counter(ch, memoryMaxEvents, k.Max, 1, labels)
			counter(ch, memoryOOMEvents, k.OOM, 1, labels)
			counter(ch, memoryOOMKills, k.OOMKill, 1, labels)
			counter(ch, cpuPeriods, k.Periods, 1, labels)
			counter(ch, cpuThrottledPeriods, k.ThrottledPeriods, 1, labels)
			counter(ch, cpuThrottledSeconds, k.ThrottledUsec, 1e6, labels)
		}
		for ; len(diags) > 0 && diags[0].Path == cg.Path; diags = diags[1:] {
			ch <- prometheus.MustNewConstMetric(diagnostic, prometheus.GaugeValue, 1, append(labels, string(diags[0].Code))...)
		}
	}
	// The diagnostics added after the tree's (memcg-leak-risk at the top).
	for _, d := range diags {
		info := systemd.Parse(d.Path)
		ch <- prometheus.MustNewConstMetric(diagnostic, prometheus.GaugeValue, 1,
			d.Path, info.PodUID, info.ContainerID, string(info.QoS), string(info.Runtime), string(d.Code))
	}
}

func limit(ch chan<- prometheus.Metric, d *prometheus.Desc, l limits.Limit, labels []string) {
	if l.State == limits.Limited {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(l.Value), labels...)
	}
}

func cpu(ch chan<- prometheus.Metric, d *prometheus.Desc, l limits.CPULimit, labels []string) {
	if l.State == limits.Limited {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, l.CPUs(), labels...)
	}
}

func usage(ch chan<- prometheus.Metric, u *node.CgroupUsage, labels []string) {
	if u == nil {
		return
	}
	if u.Current.Known {
		ch <- prometheus.MustNewConstMetric(memoryUsage, prometheus.GaugeValue, float64(u.Current.Value), labels...)
	}
	if u.Headroom.Known {
		ch <- prometheus.MustNewConstMetric(memoryHeadroom, prometheus.GaugeValue, float64(u.Headroom.Bytes), append(labels, u.Headroom.Source)...)
	}
}

// counter sends n divided by unit, when it is known.
func counter(ch chan<- prometheus.Metric, d *prometheus.Desc, n limits.Count, unit float64, labels []string) {
	if n.Known {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(n.Value)/unit, labels...)
	}
}
