package v1

import (
	"math"

	"github.com/truelimit/truelimit/internal/parse"
)

// procCgroups names /proc/cgroups in errors.
const procCgroups = "/proc/cgroups"

// ProcCgroupsEntry is one controller's line of /proc/cgroups.
type ProcCgroupsEntry struct {
	// Hierarchy is the ID of the v1 hierarchy the controller is mounted on;
	// 0 when it is not mounted on v1 (unused or on the v2 hierarchy).
	Hierarchy int
	// NumCgroups is how many cgroups of this controller exist, including
	// ones removed but not yet freed. For memory it approaches the 65535
	// memcg ID limit when kernel memory accounting leaks dying cgroups.
	NumCgroups uint64
	// Enabled is false when the controller was disabled with cgroup_disable=.
	Enabled bool
}

// ParseProcCgroups finds controller's line in /proc/cgroups, whose columns
// are subsys_name, hierarchy, num_cgroups and enabled, separated by tabs,
// after a header line starting with '#' (Documentation/admin-guide/
// cgroup-v1/cgroups.rst). found is false when the controller is not listed;
// err is set only when its line is malformed. Extra trailing columns are
// ignored. It does not allocate.
func ParseProcCgroups(b []byte, controller string) (e ProcCgroupsEntry, found bool, err error) {
	if controller == "" {
		return ProcCgroupsEntry{}, false, nil
	}
	for len(b) > 0 {
		var line []byte
		line, b = parse.NextLine(b)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		name, rest := parse.NextField(line)
		if string(name) != controller {
			continue
		}
		e, err = procCgroupsLine(line, rest)
		if err != nil {
			return ProcCgroupsEntry{}, false, parse.Relabel(err, procCgroups+" "+controller)
		}
		return e, true, nil
	}
	return ProcCgroupsEntry{}, false, nil
}

// procCgroupsLine parses the hierarchy, num_cgroups and enabled columns
// that follow the name in line.
func procCgroupsLine(line, rest []byte) (ProcCgroupsEntry, error) {
	hierarchy, rest := parse.NextField(rest)
	numCgroups, rest := parse.NextField(rest)
	enabled, _ := parse.NextField(rest)
	if enabled == nil {
		return ProcCgroupsEntry{}, parse.NewError(procCgroups, line, parse.ErrSyntax)
	}
	h, err := parse.Uint(hierarchy)
	if err == nil && h > math.MaxInt32 {
		err = parse.NewError(procCgroups, hierarchy, parse.ErrRange)
	}
	if err != nil {
		return ProcCgroupsEntry{}, err
	}
	n, err := parse.Uint(numCgroups)
	if err != nil {
		return ProcCgroupsEntry{}, err
	}
	en, err := parse.Uint(enabled)
	if err != nil {
		return ProcCgroupsEntry{}, err
	}
	on, err := flag(en, enabled)
	if err != nil {
		return ProcCgroupsEntry{}, err
	}
	return ProcCgroupsEntry{Hierarchy: int(h), NumCgroups: n, Enabled: on}, nil
}
