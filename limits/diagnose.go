package limits

import (
	"errors"
	"strconv"
	"strings"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/limits/internal/effective"
	"github.com/truelimit/truelimit/limits/internal/hidden"
	"github.com/truelimit/truelimit/limits/internal/own"
)

// diagnose adds the diagnostics of a report, built from what the detection
// read: where each controller was (or was not) found, the own values of
// every level walked, and the effective values. Only the public detections
// call it, so a program that uses just the setters does not link it.
func (r *reader) diagnose() {
	for i, p := range r.placed {
		r.diagnosePlacement(i, p)
	}
	for i := range r.levels {
		if lv := &r.levels[i]; lv.values.Failed() {
			lv.values.Problems(r.abs(lv.loc.Dir()), func(code, msg string) { r.diag(Code(code), msg) })
		}
	}

	for _, i := range [...]int{memoryIdx, cpuIdx} {
		if p := r.placed[i]; p.found && !p.enabled {
			r.diag(CodeControllerMissing, "the "+controllerNames[i]+" controller is not enabled for cgroup "+p.loc.Path+
				" (absent from its cgroup.controllers): only limits set on ancestors that have it apply")
		}
	}
	r.diagnoseAncestors()
	r.diagnoseNames()
}

// noCgroupReason says why mode is none: nothing is mounted, or only named v1
// hierarchies such as name=systemd (systemd-nspawn without systemd inside),
// which hold no controller.
func (r *reader) noCgroupReason() string {
	var named []string
	for _, m := range r.mounts {
		if name := m.Name(); name != "" {
			named = append(named, "name="+name)
		}
	}
	if len(named) == 0 {
		return "no cgroup or cgroup2 filesystem is mounted"
	}
	return "no cgroup controller hierarchy is mounted, only named ones (" + strings.Join(named, ", ") + ")"
}

// diagnosePlacement says why controller i was not located, or that
// ForCgroup's cgroup does not exist yet.
func (r *reader) diagnosePlacement(i int, p placement) {
	switch {
	case p.wanted != "":
		r.diag(CodeCgroupNotCreated, "cgroup "+p.wanted+" does not exist yet: limits are those of its nearest existing ancestor "+p.loc.Path)
	case p.err == nil:
	case errors.Is(p.err, cgroup.ErrNotMounted):
		if i == memoryIdx || i == cpuIdx {
			r.diag(CodeControllerMissing, "the "+controllerNames[i]+" controller is not mounted: its limits are unknown")
		}
	case errors.As(p.err, new(*cgroup.UnreachableError)):
		r.diag(CodeCgroupUnreachable, p.err.Error()+"; its limits are unknown")
	default:
		r.diag(CodeCgroupUnreachable, p.err.Error())
	}
}

// diagnoseAncestors adds limit-in-ancestor, and ancestors-hidden when the top
// of the memory or cpu walk may not be the host's root cgroup.
func (r *reader) diagnoseAncestors() {
	var msg strings.Builder
	above := func(what string, value []byte, unit, source string) {
		if msg.Len() == 0 {
			msg.Grow(256)
			msg.WriteString("the binding limit is set above the process's own cgroup (")
		} else {
			msg.WriteString("; ")
		}
		msg.WriteString(what)
		msg.Write(value)
		msg.WriteString(unit)
		msg.WriteString(source)
	}
	var num [32]byte
	m := &r.res.Memory
	if m.Limit.State == Limited && m.Limit.Source != r.placed[memoryIdx].loc.Path {
		above("memory limit ", strconv.AppendUint(num[:0], m.Limit.Value, 10), " bytes from ", m.Limit.Source)
	}
	if m.High.State == Limited && m.High.Source != r.placed[memoryIdx].loc.Path {
		above("memory.high ", strconv.AppendUint(num[:0], m.High.Value, 10), " bytes from ", m.High.Source)
	}
	if c := r.res.CPU.Limit; c.State == Limited && c.Source != r.placed[cpuIdx].loc.Path {
		above("CPU limit ", strconv.AppendFloat(num[:0], c.CPUs(), 'g', -1, 64), " from ", c.Source)
	}
	if msg.Len() > 0 {
		msg.WriteString("); tools that read only the leaf miss it")
		r.diag(CodeLimitInAncestor, msg.String())
	}
	if reasons := r.hiddenReasons(); len(reasons) > 0 {
		r.diag(CodeAncestorsHidden, "the top visible cgroup is not the host's root, so limits above it may be invisible: "+
			strings.Join(reasons, "; ")+r.visibleOnly())
	}
}

// visibleOnly names the values that are only the tightest visible
// (ScopeVisible), for the ancestors-hidden sentence.
func (r *reader) visibleOnly() string {
	var names []string
	add := func(name string, state State, scope Scope) {
		if state != Unknown && scope == ScopeVisible {
			names = append(names, name+" ("+state.String()+")")
		}
	}
	m := &r.res.Memory
	add("memory limit", m.Limit.State, m.Limit.Scope)
	add("memory.high", m.High.State, m.High.Scope)
	add("CPU limit", r.res.CPU.Limit.State, r.res.CPU.Limit.Scope)
	add("pids limit", r.res.Pids.State, r.res.Pids.Scope)
	if len(names) == 0 {
		return ""
	}
	return "; only the tightest visible, not provably effective: " + strings.Join(names, ", ") +
		" (ForPID or cgroupinfo -pid on the host reads the effective ones)"
}

// hiddenReasons lists why limits above the top visible cgroup of the memory,
// cpu or pids walk may be invisible: the top has a limit the root cgroup
// cannot have, the v1 hierarchical_memory_limit is lower than everything
// visible, the hierarchy is mounted from a cgroup other than the root, or
// the reader is in a cgroup namespace.
func (r *reader) hiddenReasons() []string {
	var reasons []string
	for _, i := range [...]int{memoryIdx, cpuIdx, pidsIdx} {
		p := r.placed[i]
		if !p.found {
			continue
		}
		for j := range r.levels {
			if lv := &r.levels[j]; lv.controller == i && lv.loc.IsTop() {
				reasons = append(reasons, topLimitReasons(lv)...)
			}
		}
		if i == memoryIdx && r.res.Memory.Limit.Source == effective.SourceHierarchicalMemoryLimit && r.walkedToTop(i) {
			reasons = append(reasons, "memory.stat hierarchical_memory_limit "+strconv.FormatUint(r.res.Memory.Limit.Value, 10)+
				" is lower than every visible memory.limit_in_bytes")
		}
		if p.loc.Mount.Root != "/" {
			reasons = append(reasons, "the "+p.loc.Controller+" hierarchy is mounted from cgroup "+p.loc.Mount.Root+", not the root")
		}
	}
	if r.root == "/" && (r.placed[memoryIdx].found || r.placed[cpuIdx].found || r.placed[pidsIdx].found) {
		if ns := hidden.ForeignCgroupNamespace(); ns != "" {
			reasons = append(reasons, "the process runs in a cgroup namespace ("+ns+"), whose root hides the cgroups above it")
		}
	}
	return reasons
}

// topLimitReasons says which limits the top visible cgroup has that the
// root cgroup cannot (hidden.RootLacks).
func topLimitReasons(lv *level) []string {
	v := &lv.values
	lacks := hidden.RootLacks(v)
	var out []string
	has := func(what string) {
		out = append(out, "the top visible cgroup "+lv.loc.Path+" has "+what+", which the root cgroup cannot have")
	}
	if lacks&hidden.TopMemoryLimit != 0 {
		if v.Version == 2 {
			has(v.MemoryLimit.File)
		} else {
			has("memory.limit_in_bytes " + strconv.FormatUint(v.MemoryLimit.Value, 10))
		}
	}
	if lacks&hidden.TopCPUQuota != 0 {
		if v.Version == 2 {
			has(v.CPUQuota.File)
		} else {
			has("a CFS quota")
		}
	}
	if lacks&hidden.TopPids != 0 {
		has(v.Pids.File)
	}
	return out
}

// walkedToTop reports whether the walk of controller i read the top visible
// cgroup's limits.
func (r *reader) walkedToTop(i int) bool {
	for j := range r.levels {
		if lv := &r.levels[j]; lv.controller == i && lv.loc.IsTop() && lv.values.MemoryLimit.Status != own.NotRead {
			return true
		}
	}
	return false
}

// diag adds a diagnostic, once per code and message.
func (r *reader) diag(code Code, msg string) {
	for _, d := range r.res.Diagnostics {
		if d.Code == code && d.Message == msg {
			return
		}
	}
	r.res.Diagnostics = append(r.res.Diagnostics, Diagnostic{Code: code, Message: msg})
}
