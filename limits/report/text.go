package report

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/limits"
)

// Text writes a report for people: the effective limits and the cgroup that
// set each, the usage and headroom when u is not nil (limits.DetectUsage and
// its kin), the host's totals, where each controller's cgroup is, the walk
// level by level (when the Result was made WithWalk) and the diagnostics.
func Text(w io.Writer, r limits.Result, u *limits.Usage) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }

	p("cgroup mode:\t%s\n", r.Mode)
	p("\nEffective limits\n")
	m := r.Memory
	var version cgroup.Version
	if pl, ok := r.Placement("memory"); ok {
		version = pl.Version
	}
	p("  memory\t%s\t%s\n", bytesText(m.Limit), limitSource(m.Limit))
	p("  memory.high\t%s\t%s\n", onlyOn(cgroup.V2, version, bytesText(m.High)), limitSource(m.High))
	p("  swap\t%s\t%s\n", onlyOn(cgroup.V2, version, bytesText(m.Swap)), limitSource(m.Swap))
	p("  memory+swap\t%s\t%s\n", onlyOn(cgroup.V1, version, bytesText(m.MemSwap)), limitSource(m.MemSwap))
	c := r.CPU
	p("  cpu\t%s\t%s\n", cpuText(c.Limit), withScope(sourceText(c.Limit.State, c.Limit.Source), c.Limit.State, c.Limit.Scope))
	p("  cpuset\t%s\t%s\n", cpusetText(c.Set), sourceText(c.Set.State, c.Set.Source))
	p("  weight\t%s\t%s\n", weightText(c.Weight), sourceText(c.Weight.State, c.Weight.Source))
	p("  pids\t%s\t%s\n", countText(r.Pids), limitSource(r.Pids))

	if u != nil {
		p("\nUsage\n")
		for _, row := range usageRows(r, u, func(path string) string { return path }, " · ") {
			p("  %s\t%s\n", row[0], row[1])
		}
	}

	h := r.Host
	p("\nHost (totals, not limits)\n")
	p("  memory\t%s\n", orUnknown(h.MemTotal != 0, humanBytes(h.MemTotal)))
	p("  online CPUs\t%s\n", orUnknown(h.OnlineCPUs != 0, strconv.Itoa(h.OnlineCPUs)))
	p("  affinity CPUs\t%s\n", orUnknown(h.AffinityCPUs != 0, strconv.Itoa(h.AffinityCPUs)))
	if h.KernelRelease != "" {
		p("  kernel\t%s\n", h.KernelRelease)
	}

	p("\nCgroups\n")
	if len(r.Placements) == 0 {
		p("  (none located)\n")
	}
	for _, pl := range r.Placements {
		p("  %s\t%s\t%s\t%s\n", pl.Controller, pl.Version, pl.Path, pl.Dir())
	}

	if len(r.Walk) > 0 {
		p("\nWalk (leaf first)\n")
		for _, rd := range r.Walk {
			p("  %s\t%s\t%s\t%s\n", rd.Controller, rd.Cgroup, rd.File, rd.Value)
		}
	}

	p("\nDiagnostics\n")
	if len(r.Diagnostics) == 0 {
		p("  (none)\n")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, d := range r.Diagnostics {
		if _, err := fmt.Fprintf(w, "  ! %s: %s\n", d.Code, d.Message); err != nil {
			return err
		}
	}
	return nil
}

// onlyOn marks a value that exists only on one cgroup version when the
// memory hierarchy is on the other.
func onlyOn(want, version cgroup.Version, text string) string {
	if version != 0 && version != want {
		return "n/a on cgroup " + version.String()
	}
	return text
}

// limitSource is a limit's source column: where it was set, and whether
// it is only the tightest visible.
func limitSource(l limits.Limit) string {
	return withScope(sourceText(l.State, l.Source), l.State, l.Scope)
}

// withScope marks a known value whose scope is visible: a cgroup above the
// top visible one may set a lower limit.
func withScope(text string, s limits.State, scope limits.Scope) string {
	if s == limits.Unknown || scope != limits.ScopeVisible {
		return text
	}
	if text != "" {
		text += ", "
	}
	return text + "as far as visible (see ancestors-hidden)"
}

func sourceText(s limits.State, source string) string {
	if s != limits.Limited || source == "" {
		return ""
	}
	return "from " + source
}

func bytesText(b limits.Limit) string {
	if b.State != limits.Limited {
		return b.State.String()
	}
	return humanBytes(b.Value) + " (" + strconv.FormatUint(b.Value, 10) + " bytes)"
}

func countText(c limits.Limit) string {
	if c.State != limits.Limited {
		return c.State.String()
	}
	return strconv.FormatUint(c.Value, 10)
}

func cpuText(c limits.CPULimit) string {
	if c.State != limits.Limited {
		return c.State.String()
	}
	return strconv.FormatFloat(c.CPUs(), 'g', 4, 64) + " CPUs (" +
		strconv.FormatUint(c.Quota, 10) + "/" + strconv.FormatUint(c.Period, 10) + " µs)"
}

func cpusetText(s limits.CPUSetLimit) string {
	if s.State != limits.Limited {
		return s.State.String()
	}
	return strconv.Itoa(s.CPUs.Count()) + " CPUs (" + s.CPUs.String() + ")"
}

func weightText(w limits.Weight) string {
	if w.State != limits.Limited {
		return w.State.String()
	}
	if w.Shares {
		return "cpu.shares " + strconv.FormatUint(w.Value, 10)
	}
	return "cpu.weight " + strconv.FormatUint(w.Value, 10)
}

func orUnknown(ok bool, s string) string {
	if !ok {
		return "unknown"
	}
	return s
}

// humanBytes formats n in binary units: "256 MiB", "1.5 GiB".
func humanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatUint(n, 10) + " B"
	}
	div, exp := uint64(unit), 0
	for v := n / unit; v >= unit && exp < 5; v /= unit {
		div *= unit
		exp++
	}
	return strconv.FormatFloat(float64(n)/float64(div), 'g', 4, 64) + " " + string("KMGTPE"[exp]) + "iB"
}
