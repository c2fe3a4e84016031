// Package hidden decides, from outside a process, which of its binding
// limits it cannot see: those set above the top cgroup of its own cgroup
// mount. The kernel prints a cgroup mount's root in /proc/<pid>/mountinfo
// relative to the reader's cgroup namespace (cgroup_show_path), so a reader
// on the host sees the full path of the process's cgroup namespace root, or
// of the cgroup a runtime bind-mounted, and can compare it with the path of
// the cgroup whose file set the limit. limits.ForPID and node.Scan's process
// views share it, so both say the same thing in the same words.
package hidden

import (
	"errors"
	"strconv"
	"strings"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/cgpath"
	"github.com/truelimit/truelimit/limits/internal/effective"
	"github.com/truelimit/truelimit/limits/internal/own"
)

// Top is the top cgroup a process can see in one hierarchy.
type Top struct {
	// Path is the root of the process's mount of the hierarchy that holds
	// its cgroup, as the reader's cgroup namespace names it.
	Path string
	// Mounted is false when the process has no mount of the hierarchy: it
	// sees none of its cgroups' files.
	Mounted bool
}

// TopOf finds the top cgroup a process can see in controller's hierarchy,
// from its mountinfo's cgroup mounts and its /proc/<pid>/cgroup lines, both
// as the reader read them. ok is false when that cannot be told: the
// process's cgroup lies outside every one of its mounts of the hierarchy (it
// entered a cgroup outside its namespace), or its /proc/<pid>/cgroup has no
// line for the hierarchy.
func TopOf(mounts []cgroup.Mount, members []cgroup.Membership, controller string) (top Top, ok bool) {
	loc, err := cgroup.Locate(mounts, members, controller)
	switch {
	case err == nil:
		return Top{Path: loc.Mount.Root, Mounted: true}, true
	case errors.Is(err, cgroup.ErrNotMounted):
		return Top{}, true
	}
	return Top{}, false
}

// Sees reports whether a process whose top is top sees the file of the
// cgroup source: source is the top or below it.
func (t Top) Sees(source string) bool {
	return t.Mounted && cgpath.Within(source, t.Path)
}

// Clause is one limit hidden from a process, for the diagnostic's sentence.
type Clause struct {
	What       string // "memory limit", "memory.high", "CPU limit", "pids limit"
	Controller string // the hierarchy: "memory", "cpu", "pids"
	Top        Top
	// Sees is what the process sees, Bytes or CPUs of the levels at or
	// below its top; unused when it has no mount of the hierarchy.
	Sees    string
	Applies string // what applies, in the same form
}

// Message is the sentence of the limit-hidden-from-process diagnostic.
func Message(clauses []Clause) string {
	var b strings.Builder
	b.WriteString("limits are set above the cgroups the process can see: ")
	for i, c := range clauses {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(c.What)
		if c.Top.Mounted {
			b.WriteString(": below the top of its " + c.Controller + " hierarchy, " + c.Top.Path + ", it sees " + c.Sees)
		} else {
			b.WriteString(": it has no mount of the " + c.Controller + " hierarchy, so it sees no cgroup limit")
		}
		b.WriteString(", but " + c.Applies + " applies")
	}
	return b.String()
}

// Bytes says a byte limit (unit "bytes") or a count (unit "") for a Clause:
// "268435456 bytes from /a", "unlimited", "unknown".
func Bytes(b effective.Bytes, unit string) string {
	switch b.State {
	case effective.Limited:
		if unit != "" {
			unit = " " + unit
		}
		return strconv.FormatUint(b.Value, 10) + unit + " from " + b.Source
	case effective.Unlimited:
		return "unlimited"
	}
	return "unknown"
}

// CPUs says a CPU bandwidth limit for a Clause: "0.5 CPUs from /a".
func CPUs(q effective.Quota) string {
	if q.State == effective.Limited && q.Period > 0 {
		return strconv.FormatFloat(float64(q.Quota)/float64(q.Period), 'g', -1, 64) + " CPUs from " + q.Source
	}
	return Bytes(effective.Bytes{State: q.State}, "")
}

// Lacks is a set of the limits a top visible cgroup has that the root
// cgroup cannot have: such a top is not the host's root, and limits above it
// are hidden from whoever sees it as the top.
type Lacks uint8

// The limits a top visible cgroup may have that the root cgroup cannot, as
// RootLacks reports them.
const (
	TopMemoryLimit Lacks = 1 << iota
	TopCPUQuota
	TopPids
)

// RootLacks says which of the limits read at a top visible cgroup the root
// cgroup cannot have: on v2 memory.max, cpu.max and pids.max exist in every
// cgroup but the root; a v1 root cannot be given a memory limit or a CFS
// quota, and has no pids.max either.
func RootLacks(v *own.Values) Lacks {
	exists := func(s own.Status) bool { return s.Known() || s == own.BadValue }
	var lacks Lacks
	if exists(v.Pids.Status) {
		lacks |= TopPids
	}
	if v.Version == 2 {
		if exists(v.MemoryLimit.Status) {
			lacks |= TopMemoryLimit
		}
		if exists(v.CPUQuota.Status) {
			lacks |= TopCPUQuota
		}
		return lacks
	}
	if v.MemoryLimit.Status == own.Set {
		lacks |= TopMemoryLimit
	}
	if v.CPUQuota.Status == own.Set {
		lacks |= TopCPUQuota
	}
	return lacks
}
