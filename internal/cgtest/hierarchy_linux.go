//go:build linux

package cgtest

import (
	"bufio"
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// hierarchy is where one v1 controller is mounted and where the test process
// sits in it.
type hierarchy struct {
	// mountPoint is mountinfo field 5 (unescaped), e.g. /sys/fs/cgroup/memory.
	mountPoint string
	// mountRoot is mountinfo field 4: the cgroup shown at the mount point.
	mountRoot string
	// ownPath is the process's cgroup path from /proc/self/cgroup.
	ownPath string
}

// ownDir is the directory of the process's own cgroup: the mount point plus
// the path below the mount's root (the root is stripped, as a mount made
// inside a container shows its own cgroup as root).
func (h hierarchy) ownDir() string {
	rel := strings.TrimPrefix(h.ownPath, h.mountRoot)
	if h.mountRoot == "/" {
		rel = h.ownPath
	}
	return strings.TrimSuffix(h.mountPoint+rel, "/")
}

// v1Mount is one line of /proc/self/mountinfo with filesystem type "cgroup"
// (or, from cgroupMounts' second result, "cgroup2").
type v1Mount struct {
	root, point string
	readOnly    bool
	superOpts   []string
}

// locateV1 finds the v1 hierarchy of controller from the contents of
// /proc/self/mountinfo and /proc/self/cgroup (proc(5): "mountinfo" and
// cgroups(7): "/proc/[pid]/cgroup"). The error says precisely why the
// controller cannot be used: no v1 mount lists it, its mounts are read-only,
// the process's line is missing, or the process's path is outside every mount.
func locateV1(controller string, mountinfo, procCgroup []byte) (hierarchy, error) {
	ownPath, ok := ownCgroupPath(controller, procCgroup)
	if !ok {
		return hierarchy{}, fmt.Errorf("/proc/self/cgroup has no v1 line for controller %q", controller)
	}
	mounts, v2 := cgroupMounts(mountinfo)
	hasV2 := len(v2) > 0
	var found []v1Mount
	for _, m := range mounts {
		if slices.Contains(m.superOpts, controller) {
			found = append(found, m)
		}
	}
	if len(found) == 0 {
		if hasV2 {
			return hierarchy{}, fmt.Errorf("controller %q has no cgroup v1 mount (only cgroup2 is mounted for it)", controller)
		}
		return hierarchy{}, fmt.Errorf("controller %q has no cgroup v1 mount in /proc/self/mountinfo", controller)
	}
	return bestMount(found, ownPath, fmt.Sprintf("controller %q", controller), "v1")
}

// locateUnified finds the cgroup2 (unified) hierarchy and the process's
// cgroup in it from its "0::path" line, as locateV1 does for a controller.
func locateUnified(mountinfo, procCgroup []byte) (hierarchy, error) {
	ownPath, ok := unifiedPath(procCgroup)
	if !ok {
		return hierarchy{}, fmt.Errorf("/proc/self/cgroup has no 0:: line for the unified hierarchy")
	}
	_, v2 := cgroupMounts(mountinfo)
	if len(v2) == 0 {
		return hierarchy{}, fmt.Errorf("no cgroup2 mount in /proc/self/mountinfo")
	}
	return bestMount(v2, ownPath, "the unified hierarchy", "cgroup2")
}

// bestMount picks, among the mounts of one hierarchy, the writable one whose
// root is the longest prefix of ownPath.
func bestMount(found []v1Mount, ownPath, what, kind string) (hierarchy, error) {
	best := hierarchy{}
	sawReadOnly := false
	for _, m := range found {
		if !isUnder(ownPath, m.root) || strings.HasPrefix(m.root, "/..") {
			continue
		}
		if m.readOnly {
			sawReadOnly = true
			continue
		}
		if best.mountPoint == "" || len(m.root) > len(best.mountRoot) {
			best = hierarchy{mountPoint: m.point, mountRoot: m.root, ownPath: ownPath}
		}
	}
	switch {
	case best.mountPoint != "":
		return best, nil
	case sawReadOnly:
		return hierarchy{}, fmt.Errorf("%s: every %s mount holding cgroup %s is read-only", what, kind, ownPath)
	default:
		return hierarchy{}, fmt.Errorf("%s: cgroup %s is outside every %s mount's root", what, ownPath, kind)
	}
}

// unifiedPath returns the path of the /proc/self/cgroup line "0::path".
func unifiedPath(procCgroup []byte) (string, bool) {
	sc := bufio.NewScanner(bytes.NewReader(procCgroup))
	for sc.Scan() {
		if p, ok := strings.CutPrefix(sc.Text(), "0::"); ok {
			return p, true
		}
	}
	return "", false
}

// ownCgroupPath returns the path of the /proc/self/cgroup line
// "id:ctrl1,ctrl2:path" whose controller list names controller.
func ownCgroupPath(controller string, procCgroup []byte) (string, bool) {
	sc := bufio.NewScanner(bytes.NewReader(procCgroup))
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) == 3 && slices.Contains(strings.Split(parts[1], ","), controller) {
			return parts[2], true
		}
	}
	return "", false
}

// cgroupMounts returns the v1 cgroup mounts and the cgroup2 mounts of a
// mountinfo file.
func cgroupMounts(mountinfo []byte) (v1, v2 []v1Mount) {
	sc := bufio.NewScanner(bytes.NewReader(mountinfo))
	for sc.Scan() {
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		fields, tail := strings.Fields(pre), strings.Fields(post)
		if len(fields) < 6 || len(tail) < 3 {
			continue
		}
		m := v1Mount{
			root:      unescapeOctal(fields[3]),
			point:     unescapeOctal(fields[4]),
			readOnly:  slices.Contains(strings.Split(fields[5], ","), "ro"),
			superOpts: strings.Split(tail[2], ","),
		}
		switch tail[0] {
		case "cgroup2":
			v2 = append(v2, m)
		case "cgroup":
			v1 = append(v1, m)
		}
	}
	return v1, v2
}

// unescapeOctal undoes the \ooo escapes the kernel writes in mountinfo paths
// for space, tab, newline and backslash.
func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// isUnder reports whether path equals root or lies below it on a path
// component boundary.
func isUnder(path, root string) bool {
	if root == "/" || path == root {
		return true
	}
	return strings.HasPrefix(path, root+"/")
}
