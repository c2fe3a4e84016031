package node

import (
	"errors"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/limits"
)

// controllers is a set of the controllers Scan reports on.
type controllers uint8

const (
	memoryCtl controllers = 1 << iota
	cpuCtl
	cpusetCtl
	pidsCtl
)

var allControllers = [...]controllers{memoryCtl, cpuCtl, cpusetCtl, pidsCtl}

// String returns the controller's name; c must hold exactly one.
func (c controllers) String() string {
	switch c {
	case memoryCtl:
		return "memory"
	case cpuCtl:
		return "cpu"
	case cpusetCtl:
		return "cpuset"
	case pidsCtl:
		return "pids"
	}
	return ""
}

// names lists the controllers in c.
func (c controllers) names() []string {
	var out []string
	for _, one := range allControllers {
		if c&one != 0 {
			out = append(out, one.String())
		}
	}
	return out
}

// hierarchy is one mounted hierarchy to walk and the controllers read from
// it: on v2 all four; on v1 those bound to that mount (cpu and cpuacct share
// one, systemd's JoinControllers may join more).
type hierarchy struct {
	ctl controllers
	loc cgroup.Location // Path is the scan's top
}

// locateHierarchies finds, for each controller, the hierarchy that holds it
// and the scan's top in it, as limits.ForCgroup locates a cgroup: a v1 mount
// binding the controller wins, else the unified hierarchy; among usable
// mounts of it the one whose root is the longest prefix of top. With no top
// the widest usable mount's root is the top. Controllers that cannot be
// located become diagnostics and stay unknown.
func locateHierarchies(mounts []cgroup.Mount, top string, diag func(limits.Code, string)) []hierarchy {
	var hs []hierarchy
	seen := map[string]bool{}
	for _, ctl := range allControllers {
		name := ctl.String()
		var loc cgroup.Location
		var err error
		if top == "" {
			loc, err = cgroup.LocateTop(mounts, name)
		} else {
			loc, err = cgroup.LocatePath(mounts, name, top)
		}
		var unreachable *cgroup.UnreachableError
		switch {
		case errors.Is(err, cgroup.ErrNotMounted):
			if ctl == memoryCtl || ctl == cpuCtl {
				diag(limits.CodeControllerMissing, "the "+name+" controller is not mounted: its limits are unknown")
			}
			continue
		case errors.As(err, &unreachable):
			if msg := unreachable.Error() + "; its limits are unknown"; !seen[msg] {
				seen[msg] = true
				diag(limits.CodeCgroupUnreachable, msg)
			}
			continue
		case err != nil:
			diag(limits.CodeCgroupUnreachable, err.Error())
			continue
		}
		joined := false
		for i := range hs {
			if hs[i].loc.Version == loc.Version && hs[i].loc.Mount == loc.Mount {
				hs[i].ctl |= ctl
				joined = true
			}
		}
		if !joined {
			hs = append(hs, hierarchy{ctl: ctl, loc: loc})
		}
	}
	return hs
}
