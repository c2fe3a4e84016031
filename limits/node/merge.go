package node

import (
	"sort"
	"strings"
)

// part is the answer of one hierarchy's walk: values of its controllers only.
type part struct {
	ctl     controllers
	cgroups []Cgroup // in path order
}

// merge joins the hierarchies' answers by cgroup path (v1 has one tree per
// controller). A path missing from a hierarchy takes the effective values of
// its nearest ancestor there, where a process in that path is in that
// hierarchy, and names the hierarchy's controllers in Absent; missing from
// the memory hierarchy, it takes that ancestor's headroom too (WithUsage).
func merge(parts []part) []Cgroup {
	switch len(parts) {
	case 0:
		return nil
	case 1:
		return parts[0].cgroups
	}
	next := make([]int, len(parts))
	var out []Cgroup
	for {
		path, found := "", false
		for i, p := range parts {
			if next[i] < len(p.cgroups) && (!found || comparePaths(p.cgroups[next[i]].Path, path) < 0) {
				path, found = p.cgroups[next[i]].Path, true
			}
		}
		if !found {
			return out
		}
		cg := Cgroup{Path: path}
		for i, p := range parts {
			if next[i] < len(p.cgroups) && p.cgroups[next[i]].Path == path {
				src := &p.cgroups[next[i]]
				cg.Own.take(&src.Own, p.ctl)
				cg.Effective.take(&src.Effective, p.ctl)
				cg.Process = cg.Process.join(src.Process, p.ctl)
				if src.Usage != nil {
					cg.Usage = src.Usage
				}
				if src.Counters != nil {
					cg.Counters = cg.Counters.take(src.Counters, p.ctl)
				}
				next[i]++
				continue
			}
			cg.Absent = append(cg.Absent, p.ctl.names()...)
			if anc := nearestAncestor(p.cgroups, path); anc != nil {
				cg.Effective.take(&anc.Effective, p.ctl)
				if anc.Usage != nil {
					// A process in path is charged to the ancestor: its room
					// is the ancestor's, its own usage unknown.
					cg.Usage = &CgroupUsage{Headroom: anc.Usage.Headroom}
				}
			}
		}
		out = append(out, cg)
	}
}

// take copies the values of the controllers in ctl.
func (l *Limits) take(from *Limits, ctl controllers) {
	if ctl&memoryCtl != 0 {
		l.Memory, l.High = from.Memory, from.High
	}
	if ctl&cpuCtl != 0 {
		l.CPU = from.CPU
	}
	if ctl&cpusetCtl != 0 {
		l.CPUSet = from.CPUSet
	}
	if ctl&pidsCtl != 0 {
		l.Pids = from.Pids
	}
}

// join adds the view of the same cgroup in the hierarchy of the
// controllers ctl to v, and returns the joined view: that of the first
// hierarchy with one, to which a later hierarchy's adds its hidden limits
// when it speaks of the same process.
func (v *ProcessView) join(other *ProcessView, ctl controllers) *ProcessView {
	switch {
	case v == nil:
		return other
	case other == nil || other.PID != v.PID:
		return v
	}
	v.Hidden = append(v.Hidden, other.Hidden...)
	v.clauses = append(v.clauses, other.clauses...)
	v.Sees.take(&other.Sees, ctl)
	return v
}

// nearestAncestor finds the closest ancestor of path in cgroups (in path
// order), or nil.
func nearestAncestor(cgroups []Cgroup, path string) *Cgroup {
	for path != "/" {
		if i := strings.LastIndexByte(path, '/'); i > 0 {
			path = path[:i]
		} else {
			path = "/"
		}
		i := sort.Search(len(cgroups), func(i int) bool { return comparePaths(cgroups[i].Path, path) >= 0 })
		if i < len(cgroups) && cgroups[i].Path == path {
			return &cgroups[i]
		}
	}
	return nil
}
