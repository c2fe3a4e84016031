package v1

import (
	"github.com/truelimit/truelimit/internal/parse"
)

// Keys of memory.oom_control (Documentation/admin-guide/cgroup-v1/memory.rst,
// "OOM Control"). oom_kill was added in Linux 4.13.
const (
	oomKillDisable = "oom_kill_disable"
	underOOM       = "under_oom"
	oomKill        = "oom_kill"
)

// OOMControl is the content of a v1 memory.oom_control file.
type OOMControl struct {
	// Disabled is oom_kill_disable: tasks hitting the limit wait instead of
	// being killed.
	Disabled bool
	// UnderOOM is under_oom: the cgroup is at its limit and stalled now.
	UnderOOM bool
	// Kills is oom_kill, how many tasks the OOM killer killed in the cgroup.
	Kills uint64
	// HasKills is false on kernels without the oom_kill line.
	HasKills bool
}

// ParseOOMControl parses memory.oom_control, e.g.
// "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n". oom_kill_disable and
// under_oom must be present and 0 or 1; oom_kill is optional.
func ParseOOMControl(b []byte) (OOMControl, error) {
	var c OOMControl
	var err error
	if c.Disabled, err = oomFlag(b, oomKillDisable); err != nil {
		return OOMControl{}, err
	}
	if c.UnderOOM, err = oomFlag(b, underOOM); err != nil {
		return OOMControl{}, err
	}
	c.Kills, c.HasKills, err = parse.FlatKeyed(b, oomKill)
	if err != nil {
		return OOMControl{}, parse.Relabel(err, MemoryOOMControl+" "+oomKill)
	}
	return c, nil
}

// oomFlag reads the required 0/1 key from memory.oom_control. The error
// label is built only on failure, keeping the success path allocation free.
func oomFlag(b []byte, key string) (bool, error) {
	v, found, err := parse.FlatKeyed(b, key)
	if err != nil {
		return false, parse.Relabel(err, MemoryOOMControl+" "+key)
	}
	if !found {
		return false, parse.NewError(MemoryOOMControl+" "+key, parse.TrimSpace(b), parse.ErrSyntax)
	}
	set, err := flag(v, b)
	if err != nil {
		return false, parse.Relabel(err, MemoryOOMControl+" "+key)
	}
	return set, nil
}
