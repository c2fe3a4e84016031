//go:build e2e

package e2e

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/e2e/probe"
)

const mib = 1 << 20

// bootedKernel replaces host.kernel in a checked report: reportOf has
// checked that it names the kernel the VM booted.
const bootedKernel = "(the booted kernel)"

// initialCgroupNamespace is /proc/self/ns/cgroup of the initial namespace.
const initialCgroupNamespace = "cgroup:[4026531835]"

func u64(v uint64) *uint64   { return &v }
func f64(v float64) *float64 { return &v }
func num(v int) *int         { return &v }
func str(v string) *string   { return &v }
func codes(c ...string) []probe.DiagnosticDoc {
	d := []probe.DiagnosticDoc{}
	for _, code := range c {
		d = append(d, probe.DiagnosticDoc{Code: code})
	}
	return d
}

// The scopes of a report's values (docs/SEMANTICS.md, "Scope"): the
// effective limit, or only the tightest one visible from the top cgroup the
// walk reached (a cgroup namespace, or a runtime's bind mount of the
// container's cgroup).
const (
	effective = "effective"
	visible   = "visible"
)

// scoped returns d with the scope of every value it knows (the memory values
// when its state is known, memory.high and swap with them on v2, the CPU
// limit when its state is known, the pids limit when the pids hierarchy was
// located): scope, except for the v1 memory limit and memsw, which are
// effective wherever the leaf's memory.stat holds the kernel's hierarchical
// values (every real kernel).
func scoped(d probe.Document, scope string) probe.Document {
	s := str(scope)
	switch {
	case d.Memory.State == "unknown":
	case d.Cgroups.Memory != nil && d.Cgroups.Memory.Version == 1:
		d.Memory.Scope, d.Memory.MemswScope = str(effective), str(effective)
	default:
		d.Memory.Scope, d.Memory.HighScope, d.Memory.SwapScope = s, s, s
	}
	if d.CPU.State != "unknown" {
		d.CPU.Scope = s
	}
	if d.Cgroups.Pids != nil {
		d.Pids.Scope = s
	}
	return d
}

// placement is a report's cgroups entry for a controller whose hierarchy is
// mounted at mountPoint with the hierarchy's root (or the namespace's) as
// the mount's root.
func placement(version int, mountPoint, path string) *probe.PlacementDoc {
	dir := mountPoint
	if path != "/" {
		dir += path
	}
	return &probe.PlacementDoc{Version: version, Path: path, Dir: dir}
}

// v2Cgroups places every controller at path on the cgroup2 mount at
// /sys/fs/cgroup.
func v2Cgroups(path string) probe.CgroupsDoc {
	p := placement(2, "/sys/fs/cgroup", path)
	return probe.CgroupsDoc{Memory: p, CPU: p, CPUSet: p, Pids: p}
}

// result returns the probe's result labelled label.
func result(t *testing.T, results map[string]probe.Output, label string) probe.Output {
	t.Helper()
	out, ok := results[label]
	labels := make([]string, 0, len(results))
	for l := range results {
		labels = append(labels, l)
	}
	require.True(t, ok, "no result labelled %q; the VM printed %v", label, labels)
	require.Empty(t, out.Problems, "the probe could not read")
	return out
}

// reportOf returns an answer's report without what differs from boot to
// boot, after checking it: the walk (checked non-empty when a hierarchy was
// located), diagnostic messages (checked non-empty; codes sorted),
// MemTotal (checked to lie within the VM's RAM) and the kernel release
// (checked to be the booted kernel's, then replaced by bootedKernel).
func reportOf(t *testing.T, a probe.Answer, m machine) probe.Document {
	t.Helper()
	require.Empty(t, a.Error, "limits answered an error for %q", a.Query)
	require.NotNil(t, a.Report)
	doc := *a.Report
	if doc.Cgroups.Memory != nil || doc.Cgroups.CPU != nil {
		assert.NotEmpty(t, doc.Walk, "a located hierarchy was walked")
	}
	doc.Walk = nil
	diags := append([]probe.DiagnosticDoc{}, doc.Diagnostics...)
	for i := range diags {
		assert.NotEmpty(t, diags[i].Message, "diagnostic %s has a message", diags[i].Code)
		diags[i].Message = ""
	}
	sort.Slice(diags, func(i, j int) bool { return diags[i].Code < diags[j].Code })
	doc.Diagnostics = diags
	memMB := m.memMB
	if memMB == 0 {
		memMB = 512
	}
	if assert.NotNil(t, doc.Host.MemTotalBytes, "host.mem_total_bytes") {
		assert.Greater(t, *doc.Host.MemTotalBytes, uint64(memMB/2)*mib)
		assert.LessOrEqual(t, *doc.Host.MemTotalBytes, uint64(memMB)*mib)
	}
	doc.Host.MemTotalBytes = nil
	if doc.Host.Kernel != nil {
		assert.True(t, strings.HasPrefix(*doc.Host.Kernel, m.kernel+"."), "host.kernel %q is kernel %s", *doc.Host.Kernel, m.kernel)
		doc.Host.Kernel = str(bootedKernel)
	}
	return doc
}

// host is a report's host object for a VM with online CPUs where the
// process may run on affinity of them (MemTotal and the kernel release are
// checked by reportOf).
func host(online, affinity int, v1Memory bool) probe.HostDoc {
	h := probe.HostDoc{OnlineCPUs: num(online), AffinityCPUs: num(affinity)}
	if v1Memory {
		h.Kernel = str(bootedKernel)
	}
	return h
}

// codeHidden is the diagnostic ForPID adds when a binding limit is set
// above the top cgroup the process can see.
const codeHidden = "limit-hidden-from-process"

// hiddenValue is a limit hidden from a process: the value that applies as
// the diagnostic writes it ("268435456", "0.5", "2048") and the cgroup that
// sets it.
type hiddenValue struct{ value, source string }

// assertHiddenMessage checks the sentence of a ForPID answer's
// limit-hidden-from-process diagnostic (reportOf keeps only its code): one
// clause per hidden value, naming top (the root of the process's cgroup
// mount), what the process sees there (no limit, in every scenario), then
// the value that applies and the cgroup that sets it.
func assertHiddenMessage(t *testing.T, a probe.Answer, top string, hidden ...hiddenValue) {
	t.Helper()
	if a.Report == nil {
		return // reportOf has failed the test
	}
	var msg string
	for _, d := range a.Report.Diagnostics {
		if d.Code == codeHidden {
			msg = d.Message
		}
	}
	assert.Len(t, strings.Split(msg, ";"), len(hidden), "one clause per hidden value: %q", msg)
	for _, h := range hidden {
		clause := regexp.QuoteMeta(top) + `[^;]*\bunlimited\b[^;]*[^0-9.]` + regexp.QuoteMeta(h.value) +
			`[^0-9.][^;]*\s` + regexp.QuoteMeta(h.source) + `(\s|,|;|$)`
		assert.Regexp(t, clause, msg, "%s from %s hidden below %s", h.value, h.source, top)
	}
}
