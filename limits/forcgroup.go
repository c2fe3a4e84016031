package limits

import (
	"errors"
	"io/fs"
	"runtime"
	"strconv"
	"strings"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/readfile"
	"github.com/truelimit/truelimit/systemd"
)

// PathForm says how ForCgroup reads its path argument.
type PathForm uint8

// The path forms of ForCgroup.
const (
	// FormAuto reads a string with exactly two ':' whose first field is
	// empty or a slice unit name as the systemd form, anything else as a
	// cgroupfs path (systemd.IsSystemdCgroupsPath).
	FormAuto PathForm = iota
	// FormCgroupfs: a path absolute from the hierarchy's root
	// ("/kubepods/burstable/pod<uid>/<id>"), or relative, joined where runc's
	// cgroupfs driver joins a relative cgroupsPath: on a v1 or hybrid host
	// to the caller's own cgroup in each v1 hierarchy, and on a hybrid host
	// to the root of the unified one (runc's fs manager:
	// GetOwnCgroupPath("") is the unified mount point); on a pure v2 host to
	// the parent of the caller's cgroup, or the root if the caller is there
	// (opencontainers/cgroups fs2/defaultpath.go: a cgroup with processes
	// cannot enable controllers for its children). docs/SEMANTICS.md,
	// "ForCgroup paths".
	FormCgroupfs
	// FormSystemd: the OCI systemd cgroupsPath "slice:prefix:name", expanded
	// as runc's systemd driver does ("<slice expanded>/<prefix>-<name>.scope").
	FormSystemd
)

// ErrInvalidCgroupPath is wrapped by every *CgroupPathError.
var ErrInvalidCgroupPath = errors.New("invalid cgroup path")

// CgroupPathError rejects a path given to ForCgroup: empty, with a NUL byte,
// a "." or ".." component, a systemd form that does not expand, or one that
// leads out of the cgroup mount through a symlink. Such a path is never read.
type CgroupPathError struct {
	Path   string
	Reason string
	Err    error // the systemd package's error for a systemd form, if any
}

func (e *CgroupPathError) Error() string {
	return "limits: cgroup path " + quote(e.Path) + ": " + e.Reason
}

// Unwrap returns ErrInvalidCgroupPath and the underlying error.
func (e *CgroupPathError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrInvalidCgroupPath}
	}
	return []error{ErrInvalidCgroupPath, e.Err}
}

// pathMax is PATH_MAX (include/uapi/linux/limits.h): no cgroup path, given or
// built, is that long.
const pathMax = 4096

// maxQuoted bounds how much of a rejected path an error repeats.
const maxQuoted = 256

func quote(s string) string {
	if len(s) > maxQuoted {
		s = s[:maxQuoted] + "..."
	}
	return `"` + strings.ReplaceAll(s, "\x00", `\x00`) + `"`
}

// ForCgroup returns the effective limits of any cgroup, walking from it to
// the root with the same result and diagnostics as Detect, and reading the
// same files (R/proc/self/mountinfo, and R/proc/self/cgroup only for a
// relative path). Sandbox runtimes and node agents use it to size a
// container from the cgroup they are told to use. The path is a cgroupfs
// path (absolute, or relative: below the caller's own cgroup in a v1
// hierarchy, below its parent on a pure v2 host, as runc puts it; see
// FormCgroupfs) or an OCI systemd "slice:prefix:name"; form says which, or
// FormAuto tells them apart.
//
// The cgroup need not exist yet: a runtime asks before it creates the scope.
// The walk then starts at the nearest existing ancestor, and the diagnostic
// cgroup-not-created says so. A cgroup removed while ForCgroup locates it
// (a runtime recreating a container) is one that does not exist yet, never
// an invalid path; one removed after it was located gives read-error and
// unknown values. It is safe for concurrent use.
func ForCgroup(path string, form PathForm, opts ...Option) (Result, error) {
	return forCgroup(path, form, newConfig(opts))
}

func forCgroup(path string, form PathForm, cfg config) (Result, error) {
	clean, relative, err := resolveCgroupPath(path, form)
	if err != nil {
		return Result{}, err
	}
	if cfg.root == "/" && runtime.GOOS != "linux" {
		return Result{}, ErrNotSupported
	}
	r := newReader(cfg.root, cfg.beneath, nil)
	defer r.release()
	if err := r.start(0, relative); err != nil {
		return Result{}, err
	}
	t := &target{path: path, clean: clean, relative: relative}
	if relative {
		t.mode = cgroup.ModeOf(r.mounts)
	}
	return r.report(cfg, 0, t.locate)
}

// target is ForCgroup's cgroup: the path as given, and clean, absolute or
// (relative) to be joined where runc would on a host of mode.
type target struct {
	path, clean string
	relative    bool
	mode        cgroup.Mode // of the host, for a relative path
}

// resolveCgroupPath turns ForCgroup's argument into a clean cgroup path,
// absolute or (relative true) to be joined by target.locate.
func resolveCgroupPath(path string, form PathForm) (clean string, relative bool, err error) {
	bad := func(reason string, err error) (string, bool, error) {
		return "", false, &CgroupPathError{Path: path, Reason: reason, Err: err}
	}
	if len(path) >= pathMax {
		return bad("is longer than PATH_MAX ("+strconv.Itoa(pathMax)+" bytes)", nil)
	}
	if strings.IndexByte(path, 0) >= 0 {
		return bad("contains a NUL byte", nil)
	}
	if form == FormSystemd || (form == FormAuto && systemd.IsSystemdCgroupsPath(path)) {
		cp, err := systemd.ParseCgroupsPath(path)
		if err != nil {
			return bad("not a systemd slice:prefix:name", err)
		}
		expanded, err := cp.Path()
		if err != nil {
			return bad("the systemd form does not expand", err)
		}
		return expanded, false, nil
	}
	relative = !strings.HasPrefix(path, "/")
	var parts []string
	for _, c := range strings.Split(path, "/") {
		switch c {
		case "":
			continue
		case ".", "..":
			return bad("has a "+quote(c)+" component", nil)
		}
		parts = append(parts, c)
	}
	if relative && len(parts) == 0 {
		return bad("is empty", nil)
	}
	return "/" + strings.Join(parts, "/"), relative, nil
}

// joinCgroupPath appends a clean relative path ("/a/b") to a cgroup path.
func joinCgroupPath(base, rel string) string {
	if base == "/" {
		return rel
	}
	return base + rel
}

// parentCgroupPath returns the parent of a clean cgroup path, "/" for "/"
// itself: path.Dir, as runc's fs2 takes filepath.Dir of its own cgroup.
func parentCgroupPath(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return "/"
	}
	return p[:i]
}

// locate locates ForCgroup's cgroup in controller's hierarchy: the clean
// path, absolute or below the caller's own cgroup (or its parent), then the
// nearest existing cgroup on the way up from it.
func (t *target) locate(r *reader, controller string) (placement, error) {
	path := t.clean
	if t.relative {
		base, err := cgroup.Locate(r.mounts, r.members, controller)
		if err != nil {
			return placed(base, err), nil
		}
		basePath := base.Path
		switch {
		case t.mode == cgroup.ModeV2:
			// runc's fs2: the parent of the caller's cgroup. Taken as a
			// cgroup path: where the caller's cgroup is the root of its
			// mount (no cgroup namespace, mount root not "/"), the parent
			// is outside the mount and the path is unreachable. runc would
			// join it to the mount point regardless, which names another
			// cgroup.
			basePath = parentCgroupPath(basePath)
		case base.Version == 2:
			// A hybrid host's unified hierarchy: runc's fs manager joins
			// it at its mount point (GetOwnCgroupPath("") returns
			// /sys/fs/cgroup/unified), whatever the caller's cgroup
			// there: the cgroup the mount shows.
			basePath = base.Mount.Root
		}
		path = joinCgroupPath(basePath, path)
		if len(path) >= pathMax {
			return placement{}, &CgroupPathError{Path: t.path, Reason: "joined to the caller's cgroup it is longer than PATH_MAX"}
		}
	}
	loc, err := cgroup.LocatePath(r.mounts, controller, path)
	if err != nil {
		return placed(loc, err), nil
	}
	loc, wanted, err := t.nearestExisting(r, loc)
	if _, bad := err.(*CgroupPathError); bad {
		return placement{}, err
	}
	p := placed(loc, err)
	p.wanted = wanted
	return p, nil
}

// afterLstat, when set (by tests), is called by nearestExisting with each
// directory just before it checks it, to change the tree in that moment.
var afterLstat func(dir string)

// nearestExisting climbs from the cgroup asked for to the nearest cgroup
// whose directory exists, returning the one asked for as wanted when that is
// an ancestor. The mount point is resolved beneath the root (it may be a
// link inside it, as v1's cpu -> cpu,cpuacct); below it, no component may be
// a symlink: a cgroup filesystem has none, so one means the root is not what
// it seems, and the path is refused. The check is one resolution, component
// by component relative to the directory before (readfile.Root.DirBelow),
// so it cannot leave the mount whatever changes in the tree meanwhile.
//
// A directory may vanish at any moment (a runtime removes and recreates a
// container's cgroup): one that is missing is treated as never seen, and the
// climb goes on to its parent. Any other error refuses the path.
func (t *target) nearestExisting(r *reader, loc cgroup.Location) (cgroup.Location, string, error) {
	if err := r.dir.DirBelow(loc.Mount.MountPoint, ""); err != nil {
		return loc, "", &CgroupPathError{Path: t.path, Reason: "its mount point cannot be resolved", Err: err}
	}
	wanted := loc.Path
	for {
		if afterLstat != nil {
			afterLstat(r.abs(loc.Dir()))
		}
		err := r.dir.DirBelow(loc.Mount.MountPoint, loc.Rel())
		if err == nil {
			break
		}
		if errors.Is(err, readfile.ErrSymlink) {
			return loc, "", &CgroupPathError{Path: t.path, Reason: loc.Path + " leads out of the cgroup mount " + loc.Mount.MountPoint + " through a symlink, which a cgroup filesystem never has"}
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return loc, "", &CgroupPathError{Path: t.path, Reason: "cannot be resolved", Err: err}
		}
		parent, ok := loc.Parent()
		if !ok {
			return loc, "", &cgroup.UnreachableError{Controller: loc.Controller, Version: loc.Version, Path: wanted, Reason: "neither it nor any ancestor exists"}
		}
		loc = parent
	}
	if loc.Path == wanted {
		wanted = ""
	}
	return loc, wanted, nil
}
