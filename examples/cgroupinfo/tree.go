package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/node"
)

// treeOptions are the flags of -tree.
type treeOptions struct {
	root, top string
	// views asks for node.WithProcessViews, usage for node.WithUsage.
	views, usage, asJSON bool
	// sortBy is "" for path order, or sortHeadroom.
	sortBy string
}

// sortHeadroom (-sort headroom) lists the cgroups by headroom, the least
// first, those without a known headroom last, ties in path order. It
// implies -usage.
const sortHeadroom = "headroom"

// printTree scans every cgroup below top with node.Scan and prints each one's
// own and effective limits, as text or JSON; with views, also what the
// process of each leaf cgroup can see (node.WithProcessViews), whose hidden
// limits the limit-hidden-from-process diagnostics name; with usage, its
// memory.current and headroom (node.WithUsage).
func printTree(out io.Writer, o treeOptions) error {
	switch o.sortBy {
	case "":
	case sortHeadroom:
		o.usage = true
	default:
		return errors.New("-sort takes " + sortHeadroom + ", not " + strconv.Quote(o.sortBy))
	}
	opts := []node.Option{node.WithRoot(o.root)}
	if o.top != "" {
		opts = append(opts, node.WithTop(o.top))
	}
	if o.views {
		opts = append(opts, node.WithProcessViews())
	}
	if o.usage {
		opts = append(opts, node.WithUsage())
	}
	tree, err := node.Scan(opts...)
	if err != nil {
		return err
	}
	order := make([]*node.Cgroup, len(tree.Cgroups))
	for i := range tree.Cgroups {
		order[i] = &tree.Cgroups[i]
	}
	if o.sortBy == sortHeadroom {
		slices.SortStableFunc(order, byHeadroom)
	}
	if o.asJSON {
		data, err := json.MarshalIndent(newTreeDoc(tree, order), "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "%s\n", data)
		return err
	}
	return treeText(out, tree, order, o)
}

// byHeadroom orders two cgroups of a scan with node.WithUsage by headroom
// in bytes, a known one first; a stable sort keeps the path order of ties.
func byHeadroom(a, b *node.Cgroup) int {
	ha, hb := a.Usage.Headroom, b.Usage.Headroom
	switch {
	case ha.Known != hb.Known:
		if ha.Known {
			return -1
		}
		return 1
	case !ha.Known:
		return 0
	}
	return cmp.Compare(ha.Bytes, hb.Bytes)
}

// treeText writes one line per cgroup, in order: each limit as its own file
// sets it and, marked with *, the effective limit where that differs, with
// the ancestor that sets it ("..", "../.."); an effective limit marked ~ is
// only the tightest visible (scope visible). A leaf with a process view
// names its process, marked ! when a limit is hidden from it. With usage,
// each line has the cgroup's memory.current and its headroom with the
// level that leaves the least room ("." the cgroup itself). In path order
// a cgroup is indented below its parent; sorted, each has its full path.
func treeText(w io.Writer, tree *node.Tree, order []*node.Cgroup, opt treeOptions) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }
	p("Hierarchies\n")
	if len(tree.Hierarchies) == 0 {
		p("  (none)\n")
	}
	highText := func(b limits.Limit) string { return bytesText(b) }
	for _, h := range tree.Hierarchies {
		p("  %s\t%s\tmount root %s\ttop %s\t%s\n", h.Version, h.MountPoint, h.MountRoot, h.Top, strings.Join(h.Controllers, ","))
		if h.Version == 1 && slices.Contains(h.Controllers, node.LimitMemory) {
			highText = func(limits.Limit) string { return "n/a" }
		}
	}
	p("\nCgroups")
	if opt.sortBy == sortHeadroom {
		p(" by headroom, the least first")
	}
	p(": own limit; * effective limit where it differs, <- the ancestor that sets it, ~ only the tightest visible")
	if opt.usage {
		p("; headroom <- the level that leaves the least room")
	}
	p("\n")
	views := false
	for i := range tree.Cgroups {
		views = views || tree.Cgroups[i].Process != nil
	}
	p("CGROUP\tMEMORY\tMEMORY.HIGH\tCPU\tCPUSET\tPIDS")
	if opt.usage {
		p("\tCURRENT\tHEADROOM")
	}
	if views {
		p("\tPROCESS")
	}
	p("\n")
	topDepth := -1
	if len(tree.Cgroups) > 0 && opt.sortBy == "" {
		topDepth = depth(tree.Cgroups[0].Path)
	}
	for _, cg := range order {
		differs := cg.DiffersFromOwn()
		cell := func(limit, own, eff, source string, scope limits.Scope) string {
			if slices.Contains(cg.Absent, strings.TrimSuffix(limit, ".high")) {
				own = "-"
			}
			if !slices.Contains(differs, limit) {
				return own
			}
			if source != "" {
				eff += " <- " + relativeSource(cg.Path, source)
			}
			if scope == limits.ScopeVisible {
				eff = "~" + eff
			}
			return own + " *" + eff
		}
		name := cg.Path
		if d := depth(cg.Path) - topDepth; topDepth >= 0 && d > 0 {
			name = strings.Repeat("  ", d) + cg.Path[strings.LastIndexByte(cg.Path, '/')+1:]
		}
		o, e := &cg.Own, &cg.Effective
		p("%s\t%s\t%s\t%s\t%s\t%s", name,
			cell(node.LimitMemory, bytesText(o.Memory), bytesText(e.Memory), e.Memory.Source, e.Memory.Scope),
			cell(node.LimitMemoryHigh, highText(o.High), highText(e.High), e.High.Source, e.High.Scope),
			cell(node.LimitCPU, cpuText(o.CPU), cpuText(e.CPU), e.CPU.Source, e.CPU.Scope),
			cell(node.LimitCPUSet, cpusetText(o.CPUSet), cpusetText(e.CPUSet), e.CPUSet.Source, limits.ScopeEffective),
			cell(node.LimitPids, countText(o.Pids), countText(e.Pids), e.Pids.Source, e.Pids.Scope))
		if u := cg.Usage; opt.usage && u != nil {
			current := stateText(knownState(u.Current.Known), func() string { return binaryBytes(u.Current.Value) })
			if slices.Contains(cg.Absent, node.LimitMemory) {
				current = "-"
			}
			p("\t%s\t%s", current, headroomText(cg.Path, u.Headroom))
		}
		if views {
			p("\t%s", processText(cg.Process))
		}
		p("\n")
	}
	p("\nDiagnostics\n")
	if len(tree.Diagnostics) == 0 {
		p("  (none)\n")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, d := range tree.Diagnostics {
		if _, err := fmt.Fprintf(w, "  ! %s: %s\n", d.Code, d.Message); err != nil {
			return err
		}
	}
	return nil
}

// knownState is Limited for a known usage value, which stateText then
// formats, and Unknown ("?") otherwise.
func knownState(known bool) limits.State {
	if known {
		return limits.Limited
	}
	return limits.Unknown
}

// headroomText writes a headroom and the level that leaves the least room,
// relative to the cgroup at path: "124Mi <- ..", "50Mi <- ." for the
// cgroup itself; "?" when unknown.
func headroomText(path string, h limits.Headroom) string {
	if !h.Known {
		return "?"
	}
	source := "."
	if h.Source != path {
		source = relativeSource(path, h.Source)
	}
	return binaryBytes(h.Bytes) + " <- " + source
}

// processText names the process of a leaf's view: "pid 4242", and the
// limits hidden from it ("pid 4242 !memory,cpu"); "" without a view.
func processText(v *node.ProcessView) string {
	if v == nil {
		return ""
	}
	text := "pid " + strconv.Itoa(v.PID)
	if len(v.Hidden) > 0 {
		text += " !" + strings.Join(v.Hidden, ",")
	}
	return text
}

// depth is the number of components of a cgroup path: 0 for "/".
func depth(path string) int {
	if path == "/" {
		return 0
	}
	return strings.Count(path, "/")
}

// relativeSource names an ancestor relative to path: ".." for the parent,
// "../.." above it; anything else (hierarchical_memory_limit) as it is.
func relativeSource(path, source string) string {
	if source == path || !(source == "/" || strings.HasPrefix(path, source+"/")) {
		return source
	}
	up := depth(path) - depth(source)
	return strings.TrimSuffix(strings.Repeat("../", up), "/")
}

// stateText writes unlimited as "max", as the v2 files do, and unknown as "?".
func stateText(s limits.State, limited func() string) string {
	switch s {
	case limits.Limited:
		return limited()
	case limits.Unlimited:
		return "max"
	}
	return "?"
}

func bytesText(b limits.Limit) string {
	return stateText(b.State, func() string { return binaryBytes(b.Value) })
}

func cpuText(c limits.CPULimit) string {
	return stateText(c.State, func() string { return strconv.FormatFloat(c.CPUs(), 'g', 4, 64) })
}

// cpusetText writes a cpuset; a cgroup without a cpuset file restricts
// nothing: "all".
func cpusetText(s limits.CPUSetLimit) string {
	if s.State == limits.Unlimited {
		return "all"
	}
	return stateText(s.State, s.CPUs.String)
}

func countText(c limits.Limit) string {
	return stateText(c.State, func() string { return strconv.FormatUint(c.Value, 10) })
}

// binaryBytes formats n in binary units: "256Mi", "1.5Gi", "4096".
func binaryBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatUint(n, 10)
	}
	div, exp := uint64(unit), 0
	for v := n / unit; v >= unit && exp < 5; v /= unit {
		div *= unit
		exp++
	}
	return strconv.FormatFloat(float64(n)/float64(div), 'g', 4, 64) + string("KMGTPE"[exp]) + "i"
}

// treeDoc is the JSON of -tree -json. Every key is always present; values
// that are not limited, and their sources, are null.
type treeDoc struct {
	Hierarchies []hierarchyDoc  `json:"hierarchies"`
	Cgroups     []cgroupDoc     `json:"cgroups"`
	Diagnostics []diagnosticDoc `json:"diagnostics"`
}

// diagnosticDoc is one diagnostic, as in the JSON of a report.
type diagnosticDoc struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type hierarchyDoc struct {
	Controllers []string `json:"controllers"`
	Version     int      `json:"version"`
	MountPoint  string   `json:"mount_point"`
	MountRoot   string   `json:"mount_root"`
	Top         string   `json:"top"`
}

type cgroupDoc struct {
	Path      string    `json:"path"`
	Own       limitsDoc `json:"own"`
	Effective limitsDoc `json:"effective"`
	// Differs names the limits whose effective value is not the own one.
	Differs []string `json:"differs"`
	Absent  []string `json:"absent"`
	// Process is the view of the leaf's process, with -process-views;
	// null otherwise.
	Process *processDoc `json:"process"`
	// Usage is the memory usage and headroom, with -usage; null
	// otherwise.
	Usage *usageDoc `json:"usage"`
}

// usageDoc is a node.CgroupUsage: memory.current and the headroom with
// the level that leaves the least room, each null when unknown.
type usageDoc struct {
	CurrentBytes   *uint64 `json:"current_bytes"`
	HeadroomBytes  *uint64 `json:"headroom_bytes"`
	HeadroomSource *string `json:"headroom_source"`
}

// processDoc is a node.ProcessView: the limits hidden from the process and,
// for each, what it sees instead (the other limits are "unknown" there).
type processDoc struct {
	PID    int       `json:"pid"`
	Hidden []string  `json:"hidden"`
	Sees   limitsDoc `json:"sees"`
}

type limitsDoc struct {
	Memory     bytesDoc  `json:"memory"`
	MemoryHigh bytesDoc  `json:"memory_high"`
	CPU        cpuDoc    `json:"cpu"`
	CPUSet     cpusetDoc `json:"cpuset"`
	Pids       countDoc  `json:"pids"`
}

// Scope, as in the JSON of a report: "effective", or "visible" when the
// value is only the tightest visible; null for an unknown value.
type bytesDoc struct {
	State  string  `json:"state"`
	Bytes  *uint64 `json:"bytes"`
	Source *string `json:"source"`
	Scope  *string `json:"scope"`
}

type cpuDoc struct {
	State    string   `json:"state"`
	Limit    *float64 `json:"limit"`
	QuotaUs  *uint64  `json:"quota_us"`
	PeriodUs *uint64  `json:"period_us"`
	Source   *string  `json:"source"`
	Scope    *string  `json:"scope"`
}

type cpusetDoc struct {
	State  string  `json:"state"`
	CPUs   *string `json:"cpus"`
	Count  *int    `json:"count"`
	Source *string `json:"source"`
}

type countDoc struct {
	State  string  `json:"state"`
	Limit  *uint64 `json:"limit"`
	Source *string `json:"source"`
	Scope  *string `json:"scope"`
}

// newTreeDoc is the JSON of tree, its cgroups in order.
func newTreeDoc(tree *node.Tree, order []*node.Cgroup) treeDoc {
	doc := treeDoc{Hierarchies: []hierarchyDoc{}, Cgroups: make([]cgroupDoc, 0, len(order)), Diagnostics: []diagnosticDoc{}}
	for _, h := range tree.Hierarchies {
		doc.Hierarchies = append(doc.Hierarchies, hierarchyDoc{h.Controllers, int(h.Version), h.MountPoint, h.MountRoot, h.Top})
	}
	for _, cg := range order {
		d := cgroupDoc{
			Path:      cg.Path,
			Own:       newLimitsDoc(cg.Own),
			Effective: newLimitsDoc(cg.Effective),
			Differs:   orEmpty(cg.DiffersFromOwn()),
			Absent:    orEmpty(cg.Absent),
		}
		if v := cg.Process; v != nil {
			d.Process = &processDoc{PID: v.PID, Hidden: orEmpty(v.Hidden), Sees: newLimitsDoc(v.Sees)}
		}
		if u := cg.Usage; u != nil {
			d.Usage = &usageDoc{}
			if u.Current.Known {
				d.Usage.CurrentBytes = &u.Current.Value
			}
			if u.Headroom.Known {
				d.Usage.HeadroomBytes, d.Usage.HeadroomSource = &u.Headroom.Bytes, &u.Headroom.Source
			}
		}
		doc.Cgroups = append(doc.Cgroups, d)
	}
	for _, d := range tree.Diagnostics {
		doc.Diagnostics = append(doc.Diagnostics, diagnosticDoc{Code: string(d.Code), Message: d.Message})
	}
	return doc
}

func newLimitsDoc(l node.Limits) limitsDoc {
	limited := func(s limits.State) bool { return s == limits.Limited }
	scope := func(s limits.State, sc limits.Scope) *string {
		if s == limits.Unknown {
			return nil
		}
		text := sc.String()
		return &text
	}
	var d limitsDoc
	d.Memory = bytesDoc{State: l.Memory.State.String(), Scope: scope(l.Memory.State, l.Memory.Scope)}
	if limited(l.Memory.State) {
		d.Memory.Bytes, d.Memory.Source = &l.Memory.Value, &l.Memory.Source
	}
	d.MemoryHigh = bytesDoc{State: l.High.State.String(), Scope: scope(l.High.State, l.High.Scope)}
	if limited(l.High.State) {
		d.MemoryHigh.Bytes, d.MemoryHigh.Source = &l.High.Value, &l.High.Source
	}
	d.CPU = cpuDoc{State: l.CPU.State.String(), Scope: scope(l.CPU.State, l.CPU.Scope)}
	if limited(l.CPU.State) {
		cpus := l.CPU.CPUs()
		d.CPU.Limit, d.CPU.QuotaUs, d.CPU.PeriodUs, d.CPU.Source = &cpus, &l.CPU.Quota, &l.CPU.Period, &l.CPU.Source
	}
	d.CPUSet = cpusetDoc{State: l.CPUSet.State.String()}
	if limited(l.CPUSet.State) {
		list, n := l.CPUSet.CPUs.String(), l.CPUSet.CPUs.Count()
		d.CPUSet.CPUs, d.CPUSet.Count, d.CPUSet.Source = &list, &n, &l.CPUSet.Source
	}
	d.Pids = countDoc{State: l.Pids.State.String(), Scope: scope(l.Pids.State, l.Pids.Scope)}
	if limited(l.Pids.State) {
		d.Pids.Limit, d.Pids.Source = &l.Pids.Value, &l.Pids.Source
	}
	return d
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
