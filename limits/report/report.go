// Package report renders a limits.Result for people and programs: JSON in the
// stable shape of `cgroupinfo -json`; Summary, the answer first in at most
// 100 columns, with a short name for each cgroup (LevelName) and what to do
// about each diagnostic (DiagnosticHelp); and Text, the full report with
// every path, each controller's cgroup, the host and the walk level by level.
//
// It lives apart from package limits so that a service importing limits does
// not link encoding/json and text formatting it never uses.
package report

import (
	"encoding/json"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/limits"
)

// document is the JSON shape of a Result. Every key is always present;
// unlimited and unknown limits are null, and so is the source of a null value.
type document struct {
	Mode        *string         `json:"mode"`
	Memory      memoryDoc       `json:"memory"`
	CPU         cPUDoc          `json:"cpu"`
	Pids        pidsDoc         `json:"pids"`
	Host        hostDoc         `json:"host"`
	Cgroups     cgroupsDoc      `json:"cgroups"`
	Diagnostics []diagnosticDoc `json:"diagnostics"`
	Walk        []readingDoc    `json:"walk"`
	Usage       *usageDoc       `json:"usage"`
}

// memoryDoc is the "memory" object.
type memoryDoc struct {
	State       string  `json:"state"`
	LimitBytes  *uint64 `json:"limit_bytes"`
	Source      *string `json:"source"`
	Scope       *string `json:"scope"`
	HighBytes   *uint64 `json:"high_bytes"`
	HighSource  *string `json:"high_source"`
	HighScope   *string `json:"high_scope"`
	SwapBytes   *uint64 `json:"swap_bytes"`
	SwapSource  *string `json:"swap_source"`
	SwapScope   *string `json:"swap_scope"`
	MemswBytes  *uint64 `json:"memsw_bytes"`
	MemswSource *string `json:"memsw_source"`
	MemswScope  *string `json:"memsw_scope"`
}

// cPUDoc is the "cpu" object. Limit is quota/period in CPUs.
type cPUDoc struct {
	State        string   `json:"state"`
	Limit        *float64 `json:"limit"`
	Source       *string  `json:"source"`
	Scope        *string  `json:"scope"`
	QuotaUs      *uint64  `json:"quota_us"`
	PeriodUs     *uint64  `json:"period_us"`
	CPUSetCPUs   *int     `json:"cpuset_cpus"`
	CPUSet       *string  `json:"cpuset"`
	CPUSetSource *string  `json:"cpuset_source"`
	Weight       *uint64  `json:"weight"`
	Shares       *uint64  `json:"shares"`
	WeightSource *string  `json:"weight_source"`
}

// pidsDoc is the "pids" object.
type pidsDoc struct {
	Limit  *uint64 `json:"limit"`
	Source *string `json:"source"`
	Scope  *string `json:"scope"`
}

// hostDoc is the "host" object: totals, never limits.
type hostDoc struct {
	MemTotalBytes *uint64 `json:"mem_total_bytes"`
	OnlineCPUs    *int    `json:"online_cpus"`
	AffinityCPUs  *int    `json:"affinity_cpus"`
	Kernel        *string `json:"kernel"`
}

// cgroupsDoc says where each controller's cgroup was found; null when not located.
type cgroupsDoc struct {
	Memory *placementDoc `json:"memory"`
	CPU    *placementDoc `json:"cpu"`
	CPUSet *placementDoc `json:"cpuset"`
	Pids   *placementDoc `json:"pids"`
}

// placementDoc is one controller's cgroup.
type placementDoc struct {
	Version int    `json:"version"`
	Path    string `json:"path"`
	Dir     string `json:"dir"`
}

// diagnosticDoc is one diagnostic.
type diagnosticDoc struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// readingDoc is one file read on the walk.
type readingDoc struct {
	Controller string `json:"controller"`
	Cgroup     string `json:"cgroup"`
	File       string `json:"file"`
	Value      string `json:"value"`
}

// newDocument converts a Result, and the usage when read, into its JSON
// shape.
func newDocument(r limits.Result, u *limits.Usage) document {
	d := document{
		Diagnostics: []diagnosticDoc{},
		Walk:        []readingDoc{},
	}
	if r.Mode != cgroup.ModeNone {
		d.Mode = ptr(r.Mode.String())
	}
	m := r.Memory
	d.Memory = memoryDoc{State: m.Limit.State.String()}
	d.Memory.LimitBytes, d.Memory.Source, d.Memory.Scope = bytesDoc(m.Limit)
	d.Memory.HighBytes, d.Memory.HighSource, d.Memory.HighScope = bytesDoc(m.High)
	d.Memory.SwapBytes, d.Memory.SwapSource, d.Memory.SwapScope = bytesDoc(m.Swap)
	d.Memory.MemswBytes, d.Memory.MemswSource, d.Memory.MemswScope = bytesDoc(m.MemSwap)

	c := r.CPU
	d.CPU = cPUDoc{State: c.Limit.State.String(), Scope: scopeDoc(c.Limit.State, c.Limit.Scope)}
	if c.Limit.State == limits.Limited {
		d.CPU.Limit = ptr(c.Limit.CPUs())
		d.CPU.Source = ptr(c.Limit.Source)
		d.CPU.QuotaUs = ptr(c.Limit.Quota)
		d.CPU.PeriodUs = ptr(c.Limit.Period)
	}
	if c.Set.State == limits.Limited {
		d.CPU.CPUSetCPUs = ptr(c.Set.CPUs.Count())
		d.CPU.CPUSet = ptr(c.Set.CPUs.String())
		d.CPU.CPUSetSource = ptr(c.Set.Source)
	}
	if c.Weight.State == limits.Limited {
		if c.Weight.Shares {
			d.CPU.Shares = ptr(c.Weight.Value)
		} else {
			d.CPU.Weight = ptr(c.Weight.Value)
		}
		d.CPU.WeightSource = ptr(c.Weight.Source)
	}
	d.Pids.Limit, d.Pids.Source, d.Pids.Scope = bytesDoc(r.Pids)

	h := r.Host
	d.Host = hostDoc{
		MemTotalBytes: nonZero(h.MemTotal),
		OnlineCPUs:    nonZero(h.OnlineCPUs),
		AffinityCPUs:  nonZero(h.AffinityCPUs),
		Kernel:        nonZero(h.KernelRelease),
	}
	for _, p := range r.Placements {
		doc := &placementDoc{Version: int(p.Version), Path: p.Path, Dir: p.Dir()}
		switch p.Controller {
		case "memory":
			d.Cgroups.Memory = doc
		case "cpu":
			d.Cgroups.CPU = doc
		case "cpuset":
			d.Cgroups.CPUSet = doc
		case "pids":
			d.Cgroups.Pids = doc
		}
	}
	for _, diag := range r.Diagnostics {
		d.Diagnostics = append(d.Diagnostics, diagnosticDoc{Code: string(diag.Code), Message: diag.Message})
	}
	for _, w := range r.Walk {
		d.Walk = append(d.Walk, readingDoc(w))
	}
	if u != nil {
		d.Usage = newUsageDoc(u)
	}
	return d
}

// JSON returns the indented JSON document of r and, when not nil, of the
// usage read with it (limits.DetectUsage and its kin); "usage" is null
// otherwise.
func JSON(r limits.Result, u *limits.Usage) ([]byte, error) {
	return json.MarshalIndent(newDocument(r, u), "", "  ")
}

func bytesDoc(b limits.Limit) (value *uint64, source, scope *string) {
	scope = scopeDoc(b.State, b.Scope)
	if b.State != limits.Limited {
		return nil, nil, scope
	}
	return ptr(b.Value), ptr(b.Source), scope
}

// scopeDoc is a value's scope, null when the value is unknown: an
// unlimited value has one too ("unlimited as far as visible").
func scopeDoc(state limits.State, scope limits.Scope) *string {
	if state == limits.Unknown {
		return nil
	}
	return ptr(scope.String())
}

func ptr[T any](v T) *T { return &v }

func nonZero[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}
