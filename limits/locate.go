package limits

import (
	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/limits/internal/own"
)

// The controllers a detection locates, in the order of placements: the
// setters locate the first two, a report all four.
const (
	memoryIdx = iota
	cpuIdx
	cpusetIdx
	pidsIdx
)

var controllerNames = [...]string{memoryIdx: "memory", cpuIdx: "cpu", cpusetIdx: "cpuset", pidsIdx: "pids"}

// placement is where one controller's cgroup is, and whether the controller
// is enabled there (always on v1; on v2 when cgroup.controllers lists it).
type placement struct {
	loc     cgroup.Location
	found   bool
	enabled bool
	err     error // why the controller could not be located
	// wanted is, for ForCgroup, the cgroup asked for when it does not
	// exist yet and loc is its nearest existing ancestor.
	wanted string
}

type placements [len(controllerNames)]placement

// locator finds the cgroup of one controller: the process's own (locateOwn)
// or ForCgroup's. A controller that cannot be located has the reason in
// the placement's err; an error ends the detection (a ForCgroup path that
// leads out of the mount, which is never read).
type locator func(r *reader, controller string) (placement, error)

// locateOwn locates the process's own cgroup of controller from the parsed
// mountinfo and /proc/<pid>/cgroup.
func (r *reader) locateOwn(controller string) (placement, error) {
	loc, err := cgroup.Locate(r.mounts, r.members, controller)
	return placed(loc, err), nil
}

// placed is the placement of a located cgroup, or of the reason it was not
// located.
func placed(loc cgroup.Location, err error) placement {
	if err != nil {
		return placement{err: err}
	}
	return placement{loc: loc, found: true, enabled: loc.Version == 1}
}

// locate locates the first n controllers with find, then reads the v2
// cgroup's cgroup.controllers to see which of those on v2 are enabled.
func (r *reader) locate(n int, find locator) error {
	unified := -1
	for i, name := range controllerNames[:n] {
		p, err := find(r, name)
		if err != nil {
			return err
		}
		r.placed[i] = p
		if p.found && p.loc.Version == 2 {
			unified = i
		}
	}
	if unified >= 0 {
		r.enableUnified(unified)
	}
	return nil
}

// enableUnified reads the v2 cgroup's cgroup.controllers, which lists the
// controllers its parent enabled for it, and marks which of the v2-placed
// controllers are enabled. Every v2 cgroup has that file; if it cannot be
// read the cgroup has vanished and nothing on v2 can be trusted.
func (r *reader) enableUnified(i int) {
	lv := r.addLevel(i, r.placed[i].loc)
	r.read(lv.loc, own.Controllers, &lv.values)
	enabled := lv.values.Controllers
	for j := range r.placed {
		p := &r.placed[j]
		if !p.found || p.loc.Version != 2 {
			continue
		}
		if enabled.Status != own.Set {
			p.found = false
			continue
		}
		p.enabled = [...]bool{memoryIdx: enabled.Memory, cpuIdx: enabled.CPU, cpusetIdx: enabled.CPUSet, pidsIdx: enabled.Pids}[j]
	}
}

// addLevel returns the level the walk of controller i reads next: recorded
// in r.levels when the detection reports (keep), a reused one otherwise
// (the setters and their refresh need only the effective values).
func (r *reader) addLevel(i int, loc cgroup.Location) *level {
	if !r.keep {
		r.scratch.controller, r.scratch.loc, r.scratch.values = i, loc, own.Values{}
		return &r.scratch
	}
	r.levels = append(r.levels, level{controller: i, loc: loc})
	return &r.levels[len(r.levels)-1]
}
