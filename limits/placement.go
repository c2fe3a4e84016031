package limits

import (
	"errors"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/v2"
)

// The controllers a detection locates, in the order of placements.
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
}

type placements [len(controllerNames)]placement

// locateAll locates memory and cpu and, with details, cpuset and pids. With
// details a controller that cannot be located raises controller-missing or
// cgroup-unreachable, and a *CgroupPathError (a ForCgroup path leading out of
// the mount) is returned: such a path is never read.
func (r *reader) locateAll() (placements, error) {
	var p placements
	var unified *cgroup.Location
	for i, name := range controllerNames {
		if i > cpuIdx && !r.detailed() {
			break
		}
		loc, err := r.locate(name)
		if err != nil {
			if r.detailed() {
				if fatal := r.cfg.details.locateFailed(r, name, err); fatal != nil {
					return p, fatal
				}
			}
			continue
		}
		p[i] = placement{loc: loc, found: true, enabled: loc.Version == 1}
		if loc.Version == 2 {
			unified = &p[i].loc
		}
	}
	if unified != nil {
		r.enableUnified(&p, *unified)
	}
	return p, nil
}

// recordPlacements lists the located cgroups in Result.Placements.
func (r *reader) recordPlacements(p placements) {
	for i := range p {
		if p[i].found {
			if r.res.Placements == nil {
				r.res.Placements = make([]Placement, 0, len(p))
			}
			r.res.Placements = append(r.res.Placements, Placement{
				Controller: controllerNames[i],
				Version:    int(p[i].loc.Version),
				Path:       p[i].loc.Path,
				MountPoint: p[i].loc.Mount.MountPoint,
				MountRoot:  p[i].loc.Mount.Root,
			})
		}
	}
}

// locateFailed turns a controller that could not be located into a
// diagnostic, or returns the error when it must end the detection (a
// ForCgroup path leading out of the mount).
func (r *reader) locateFailed(controller string, err error) error {
	var unreachable *cgroup.UnreachableError
	var badPath *CgroupPathError
	switch {
	case errors.As(err, &badPath):
		return err
	case errors.Is(err, cgroup.ErrNotMounted):
		if controller == "memory" || controller == "cpu" {
			r.diag(CodeControllerMissing, "the "+controller+" controller is not mounted: its limits are unknown")
		}
	case errors.As(err, &unreachable):
		r.diag(CodeCgroupUnreachable, unreachable.Error()+"; its limits are unknown")
	default:
		r.diag(CodeCgroupUnreachable, err.Error())
	}
	return nil
}

// enableUnified reads the v2 leaf's cgroup.controllers, which lists the
// controllers its parent enabled for it, and marks which of the v2-placed
// controllers are enabled. Every v2 cgroup has that file; if it is missing the
// cgroup has vanished and nothing on v2 can be trusted.
func (r *reader) enableUnified(p *placements, leaf cgroup.Location) {
	data, found, err := r.readCgroup(leaf, v2.Controllers)
	if err == nil && !found {
		r.event(event{kind: eventMissing, loc: leaf, file: v2.Controllers})
	}
	if !found {
		for i := range p {
			if p[i].found && p[i].loc.Version == 2 {
				p[i].found = false
			}
		}
		return
	}
	for i := range p {
		if !p[i].found || p[i].loc.Version != 2 {
			continue
		}
		p[i].enabled = v2.HasController(data, controllerNames[i])
		if !p[i].enabled && (i == memoryIdx || i == cpuIdx) {
			r.event(event{kind: eventNotEnabled, loc: leaf, file: controllerNames[i]})
		}
	}
}
