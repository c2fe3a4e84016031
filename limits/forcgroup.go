package limits

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/truelimit/truelimit/cgroup"
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
	// ("/kubepods/burstable/pod<uid>/<id>"), or relative to the caller's own
	// cgroup in each hierarchy, as runc treats a relative cgroupsPath.
	FormCgroupfs
	// FormSystemd: the OCI systemd cgroupsPath "slice:prefix:name", expanded
	// as runc's systemd driver does ("<slice expanded>/<prefix>-<name>.scope").
	FormSystemd
)

// WithPathForm tells ForCgroup which form its path is in, for callers that
// know which cgroup driver their runtime uses.
func WithPathForm(f PathForm) Option {
	return func(c *config) { c.form = f }
}

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

func quote(s string) string { return `"` + strings.ReplaceAll(s, "\x00", `\x00`) + `"` }

// ForCgroup returns the effective limits of any cgroup, walking from it to
// the root with the same result and diagnostics as Detect. Sandbox runtimes
// and node agents use it to size a container from the cgroup they are told
// to use. The path is a cgroupfs path (absolute, or relative to the caller's
// own cgroup) or an OCI systemd "slice:prefix:name"; see PathForm.
//
// The cgroup need not exist yet: a runtime asks before it creates the scope.
// The walk then starts at the nearest existing ancestor, and the diagnostic
// cgroup-not-created says so. It is safe for concurrent use.
func ForCgroup(path string, opts ...Option) (Result, error) {
	cfg := newConfig(opts)
	target, relative, err := resolveCgroupPath(path, cfg.form)
	if err != nil {
		return Result{}, err
	}
	cfg.path, cfg.cgroupPath, cfg.relative = path, target, relative
	cfg.target, cfg.details = (*reader).locateTarget, fullDetails{}
	res, _, err := run(cfg, nil)
	return res, err
}

// resolveCgroupPath turns ForCgroup's argument into a clean cgroup path,
// absolute or (relative true) relative to the caller's own cgroup.
func resolveCgroupPath(path string, form PathForm) (clean string, relative bool, err error) {
	bad := func(reason string, err error) (string, bool, error) {
		return "", false, &CgroupPathError{Path: path, Reason: reason, Err: err}
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

// locateTarget locates ForCgroup's cgroup in controller's hierarchy: the
// resolved path, absolute or below the caller's own cgroup, then the nearest
// existing cgroup on the way up from it.
func (r *reader) locateTarget(controller string) (cgroup.Location, error) {
	path := r.cfg.cgroupPath
	if r.cfg.relative {
		base, err := cgroup.Locate(r.mounts, r.members, controller)
		if err != nil {
			return base, err
		}
		path = joinCgroupPath(base.Path, path)
	}
	loc, err := cgroup.LocatePath(r.mounts, controller, path)
	if err != nil {
		return loc, err
	}
	return r.nearestExisting(loc)
}

// nearestExisting climbs from a ForCgroup target to the nearest cgroup whose
// directory exists, raising cgroup-not-created when that is an ancestor. It
// refuses a directory that resolves, through symlinks, outside the mount
// point: a cgroup filesystem has none, so one means the root is not what it
// seems.
func (r *reader) nearestExisting(loc cgroup.Location) (cgroup.Location, error) {
	mountDir, err := filepath.EvalSymlinks(r.abs(loc.Mount.MountPoint))
	if err != nil {
		return loc, &CgroupPathError{Path: r.cfg.path, Reason: "its mount point cannot be resolved", Err: err}
	}
	wanted := loc.Path
	for {
		dirPath := r.abs(loc.Dir())
		info, err := os.Lstat(dirPath)
		if err == nil && info.Mode()&fs.ModeSymlink != 0 {
			return loc, &CgroupPathError{Path: r.cfg.path, Reason: loc.Path + " is a symlink, which a cgroup filesystem never has"}
		}
		if err == nil {
			dir, err := filepath.EvalSymlinks(dirPath)
			if err != nil {
				return loc, &CgroupPathError{Path: r.cfg.path, Reason: "cannot be resolved", Err: err}
			}
			if dir != mountDir && !strings.HasPrefix(dir, mountDir+string(filepath.Separator)) {
				return loc, &CgroupPathError{Path: r.cfg.path, Reason: "leads out of the cgroup mount " + loc.Mount.MountPoint + " through a symlink"}
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return loc, &CgroupPathError{Path: r.cfg.path, Reason: "cannot be resolved", Err: err}
		}
		parent, ok := loc.Parent()
		if !ok {
			return loc, &cgroup.UnreachableError{Controller: loc.Controller, Version: loc.Version, Path: wanted, Reason: "neither it nor any ancestor exists"}
		}
		loc = parent
	}
	if loc.Path != wanted {
		r.diag(CodeCgroupNotCreated, "cgroup "+wanted+" does not exist yet: limits are those of its nearest existing ancestor "+loc.Path)
	}
	return loc, nil
}
