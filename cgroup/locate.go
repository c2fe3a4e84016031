package cgroup

import (
	"errors"
	"strings"

	"github.com/truelimit/truelimit/internal/cgpath"
)

// ErrNotMounted reports that no mounted hierarchy holds the controller: no v1
// mount binds it and no cgroup2 filesystem is mounted.
var ErrNotMounted = errors.New("controller not mounted")

// UnreachableError reports a controller whose cgroup cannot be located: the
// process's path lies outside the reader's cgroup namespace ("/.."), or no
// mount usable from here contains it. Its limits are unknown; the mount
// root's values would be somebody else's.
type UnreachableError struct {
	Controller string
	Version    Version // the hierarchy's
	Path       string  // the path from /proc/<pid>/cgroup, "" when there was no line
	Reason     string
}

func (e *UnreachableError) Error() string {
	hierarchy := e.Controller
	if e.Version == V2 {
		hierarchy = "cgroup2"
	}
	return "cgroup: " + hierarchy + " cgroup " + quoteOrNone(e.Path) + " unreachable: " + e.Reason
}

func quoteOrNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return `"` + s + `"`
}

// Location is where a controller's cgroup for a process is found: the
// hierarchy's mount and the cgroup's path within the hierarchy.
type Location struct {
	Controller string
	// Version is V1 for a v1 hierarchy, V2 for the unified one.
	Version Version
	Mount   Mount
	// Path is the cgroup's path as /proc/<pid>/cgroup writes it.
	Path string
}

// Dir returns the cgroup's directory: the mount point plus Path below the
// mount's root.
func (l Location) Dir() string {
	rel := l.Rel()
	if rel == "" {
		return l.Mount.MountPoint
	}
	if l.Mount.MountPoint == "/" {
		return rel
	}
	return l.Mount.MountPoint + rel
}

// Rel returns Path below the mount's root: "" for the mount's root itself,
// otherwise a path starting with '/'. Dir is MountPoint + Rel.
func (l Location) Rel() string {
	rel := l.Path
	if l.Mount.Root != "/" {
		rel = l.Path[len(l.Mount.Root):]
	}
	if rel == "/" {
		return ""
	}
	return rel
}

// IsTop reports whether l is the top cgroup visible through its mount: the
// mount's root.
func (l Location) IsTop() bool { return l.Path == l.Mount.Root }

// Parent returns the location of the parent cgroup, or false when l is already
// the top visible cgroup.
func (l Location) Parent() (Location, bool) {
	if l.IsTop() {
		return l, false
	}
	i := strings.LastIndexByte(l.Path, '/')
	if i <= 0 {
		l.Path = "/"
	} else {
		l.Path = l.Path[:i]
	}
	return l, true
}

// Locate finds the cgroup of controller ("memory", "cpu", "cpuset", "pids",
// ...) for a process, from the mounts of the reader's mountinfo and the
// process's /proc/<pid>/cgroup lines. A v1 mount binding the controller wins;
// otherwise the unified hierarchy is used if cgroup2 is mounted. On v2 whether
// the controller is enabled for the cgroup is for the caller to check in
// cgroup.controllers. Errors: ErrNotMounted, or *UnreachableError.
func Locate(mounts []Mount, members []Membership, controller string) (Location, error) {
	version, err := versionOf(mounts, controller)
	if err != nil {
		return Location{}, err
	}
	for _, m := range members {
		if (version == V2 && m.IsV2()) || (version == V1 && m.HasController(controller)) {
			return LocatePath(mounts, controller, m.Path)
		}
	}
	return Location{}, &UnreachableError{Controller: controller, Version: version, Reason: "no line for its hierarchy in /proc/<pid>/cgroup"}
}

// LocatePath is Locate for a cgroup path the caller already knows (absolute
// within the hierarchy, as /proc/<pid>/cgroup writes it). The path must be
// clean: no "." or ".." components, no empty components.
func LocatePath(mounts []Mount, controller, path string) (Location, error) {
	version, err := versionOf(mounts, controller)
	if err != nil {
		return Location{}, err
	}
	unreachable := func(reason string) (Location, error) {
		return Location{}, &UnreachableError{Controller: controller, Version: version, Path: path, Reason: reason}
	}
	if outsideNamespace(path) {
		return unreachable("it lies outside the reader's cgroup namespace")
	}
	if !cgpath.IsClean(path) {
		return unreachable("the path is not a clean absolute cgroup path")
	}
	best := -1
	for i, m := range mounts {
		inHierarchy := (version == V2 && m.IsV2()) || (version == V1 && m.HasController(controller))
		if !inHierarchy || !m.Usable() || !cgpath.Within(path, m.Root) {
			continue
		}
		if best < 0 || len(m.Root) > len(mounts[best].Root) {
			best = i
		}
	}
	if best < 0 {
		return unreachable("no mount visible here contains it")
	}
	return Location{Controller: controller, Version: version, Mount: mounts[best], Path: path}, nil
}

// versionOf returns the version of the hierarchy that holds controller: V1
// when a v1 mount binds it, otherwise V2 when cgroup2 is mounted.
// LocateTop locates the top visible cgroup of controller's hierarchy: the
// root of its usable mount with the shortest root ("/" on a host), where a
// node agent starts a scan of every cgroup. Errors: ErrNotMounted, or
// *UnreachableError when every mount of the hierarchy lies outside the
// reader's cgroup namespace.
func LocateTop(mounts []Mount, controller string) (Location, error) {
	version, err := versionOf(mounts, controller)
	if err != nil {
		return Location{}, err
	}
	best := -1
	for i, m := range mounts {
		if inHierarchy(m, version, controller) && m.Usable() && (best < 0 || len(m.Root) < len(mounts[best].Root)) {
			best = i
		}
	}
	if best < 0 {
		return Location{}, &UnreachableError{Controller: controller, Version: version,
			Reason: "every mount of its hierarchy lies outside the reader's cgroup namespace"}
	}
	m := mounts[best]
	return Location{Controller: controller, Version: version, Mount: m, Path: m.Root}, nil
}

// inHierarchy reports whether m mounts the hierarchy that holds controller,
// of the given version.
func inHierarchy(m Mount, version Version, controller string) bool {
	return (version == V2 && m.IsV2()) || (version == V1 && m.HasController(controller))
}

func versionOf(mounts []Mount, controller string) (Version, error) {
	v2 := false
	for _, m := range mounts {
		if m.HasController(controller) {
			return V1, nil
		}
		v2 = v2 || m.IsV2()
	}
	if v2 {
		return V2, nil
	}
	return 0, ErrNotMounted
}

// outsideNamespace reports whether a cgroup path, as the kernel prints it
// relative to the reader's cgroup namespace, climbs out of that namespace.
func outsideNamespace(p string) bool {
	return p == "/.." || strings.HasPrefix(p, "/../")
}
