package cgroup

import (
	"bytes"
	"strings"
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

// ParseProcCgroup parses /proc/<pid>/cgroup. Blank lines are skipped; any
// other line must have the form "id:controllers:path". The path is taken
// verbatim after the second colon, so it may itself contain ':' (a systemd
// cgroupsPath joined as a literal directory name does).
func ParseProcCgroup(b []byte) ([]Membership, error) {
	var out []Membership
	for len(b) > 0 {
		var line []byte
		line, b = nextLine(b)
		if len(line) == 0 {
			continue
		}
		m, err := ParseProcCgroupLine(line)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// ParseProcCgroupLine parses one line of /proc/<pid>/cgroup.
func ParseProcCgroupLine(line []byte) (Membership, error) {
	bad := func() (Membership, error) {
		return Membership{}, NewParseError("/proc/<pid>/cgroup line", line, ErrSyntax)
	}
	idField, rest, ok := bytes.Cut(line, []byte{':'})
	if !ok || len(idField) == 0 || len(idField) > 9 {
		return bad()
	}
	id := 0
	for _, c := range idField {
		if c < '0' || c > '9' {
			return bad()
		}
		id = id*10 + int(c-'0')
	}
	ctrls, path, ok := bytes.Cut(rest, []byte{':'})
	if !ok || len(path) == 0 || path[0] != '/' {
		return bad()
	}
	if (id == 0) != (len(ctrls) == 0) {
		// Only the unified hierarchy, always ID 0, has no controller list; a v1
		// hierarchy names its controllers or its name.
		return bad()
	}
	return Membership{HierarchyID: id, Controllers: string(ctrls), Path: string(path)}, nil
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

// isUnderRoot reports whether path lies at or below root, on a path
// component boundary ("/a/bc" is not under "/a/b").
func isUnderRoot(path, root string) bool {
	if root == "/" {
		return strings.HasPrefix(path, "/")
	}
	rest, ok := strings.CutPrefix(path, root)
	return ok && (rest == "" || rest[0] == '/')
}

// nextLine splits b after its first newline; the line excludes the newline.
func nextLine(b []byte) (line, rest []byte) {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i], b[i+1:]
	}
	return b, nil
}
