package cgroup

import (
	"strings"

	"github.com/truelimit/truelimit/internal/parse"
)

// Membership is one line of /proc/<pid>/cgroup (man 7 cgroups):
//
//	4:memory:/kubepods/burstable/pod1/abc
//	1:name=systemd:/system.slice/docker.service
//	0::/user.slice/user-1000.slice/session-2.scope
//
// The kernel prints Path relative to the reader's cgroup namespace root, so
// it starts with "/.." when the process lies outside that namespace.
type Membership struct {
	HierarchyID int
	// Controllers is the raw second field: "cpu,cpuacct", "name=systemd",
	// or "" for the unified hierarchy.
	Controllers string
	Path        string
}

// IsV2 reports whether this is the unified hierarchy's line ("0::/path").
func (m Membership) IsV2() bool { return m.HierarchyID == 0 && m.Controllers == "" }

// HasController reports whether the v1 hierarchy of this line has controller bound.
func (m Membership) HasController(controller string) bool {
	return !m.IsV2() && hasOption(m.Controllers, controller)
}

// AppendProcCgroup appends the lines of a /proc/<pid>/cgroup file to dst and
// returns the extended slice. A caller that parses again and again passes the
// previous result sliced to [:0], so the slice is reused; the first call
// passes nil. Blank lines are skipped; any other line must have the form
// "id:controllers:path", or the error is a *ParseError quoting it, wrapping
// ErrSyntax. The path is taken verbatim after the second colon, so it may
// itself contain ':' (a systemd cgroupsPath joined as a literal directory
// name does). The strings of the result share one allocation.
func AppendProcCgroup(dst []Membership, b []byte) ([]Membership, error) {
	lines := 0
	for rest := b; len(rest) > 0; {
		var line []byte
		line, rest = parse.NextLine(rest)
		if len(line) > 0 {
			lines++
		}
	}
	if lines == 0 {
		return dst, nil
	}
	out := dst
	if out == nil {
		out = make([]Membership, 0, lines)
	}
	for text := string(b); text != ""; {
		var line string
		line, text, _ = strings.Cut(text, "\n")
		if line == "" {
			continue
		}
		m, ok := parseProcCgroupLine(line)
		if !ok {
			return nil, parse.NewError("/proc/<pid>/cgroup line", []byte(line), ErrSyntax)
		}
		out = append(out, m)
	}
	return out, nil
}

// parseProcCgroupLine parses one non-empty line of /proc/<pid>/cgroup; ok is
// false when it is not "id:controllers:path".
func parseProcCgroupLine(line string) (Membership, bool) {
	idField, rest, ok := strings.Cut(line, ":")
	if !ok || len(idField) == 0 || len(idField) > 9 {
		return Membership{}, false
	}
	id := 0
	for i := 0; i < len(idField); i++ {
		c := idField[i]
		if c < '0' || c > '9' {
			return Membership{}, false
		}
		id = id*10 + int(c-'0')
	}
	ctrls, path, ok := strings.Cut(rest, ":")
	if !ok || len(path) == 0 || path[0] != '/' {
		return Membership{}, false
	}
	if (id == 0) != (len(ctrls) == 0) {
		// Only the unified hierarchy, always ID 0, has no controller list; a v1
		// hierarchy names its controllers or its name.
		return Membership{}, false
	}
	return Membership{HierarchyID: id, Controllers: ctrls, Path: path}, true
}

// Mode says which cgroup hierarchies a host has mounted.
type Mode uint8

// The modes, decided from the mounts alone (see ModeOf).
const (
	ModeNone   Mode = iota // no cgroup filesystem mounted
	ModeV1                 // v1 controller hierarchies only
	ModeV2                 // the unified hierarchy only
	ModeHybrid             // v1 controllers and a cgroup2 mount
)

// String returns "none", "v1", "v2" or "hybrid".
func (m Mode) String() string {
	switch m {
	case ModeV1:
		return "v1"
	case ModeV2:
		return "v2"
	case ModeHybrid:
		return "hybrid"
	}
	return "none"
}

// ModeOf decides the mode from the cgroup mounts of mountinfo: v1 when a v1
// hierarchy with at least one controller is mounted and no cgroup2; v2 when
// cgroup2 is mounted and no v1 controller hierarchy (a named-only hierarchy
// such as name=systemd does not count); hybrid when both; none otherwise.
// A "0::" line in /proc/<pid>/cgroup alone does not make a host v2: kernels
// print it whenever cgroup2 is compiled in.
func ModeOf(mounts []Mount) Mode {
	var v1, v2 bool
	for _, m := range mounts {
		if m.IsV2() {
			v2 = true
		} else if m.hasAnyController() {
			v1 = true
		}
	}
	switch {
	case v1 && v2:
		return ModeHybrid
	case v1:
		return ModeV1
	case v2:
		return ModeV2
	}
	return ModeNone
}
