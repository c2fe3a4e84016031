package systemd

import (
	"strconv"
	"strings"
)

// CgroupsPath is the OCI runtime spec's linux.cgroupsPath in the form runtimes
// use with the systemd cgroup driver, "slice:prefix:name", for example
// "kubepods-burstable-pod1234.slice:cri-containerd:abcd" or
// "system.slice:docker:abcd". The fields hold the text between the colons
// unchanged; an empty Slice means the default (see ParentSlice).
type CgroupsPath struct {
	Slice  string // the parent slice unit, e.g. "kubepods-burstable-pod1234.slice"
	Prefix string // the scope prefix, e.g. "cri-containerd", "crio", "docker"
	Name   string // the container ID, or a slice name ending in ".slice"
}

// ParseCgroupsPath splits a systemd-form cgroupsPath at its colons the way
// runc does (createCgroupConfig in runc's libcontainer/specconv): s must
// contain exactly two ':'; the three fields are taken as they are, empty ones
// included. Anything else is an error wrapping ErrInvalidCgroupsPath, the
// error runc reports as `expected cgroupsPath to be of format
// "slice:prefix:name"`. Use CgroupsPath.Path to resolve and validate it.
func ParseCgroupsPath(s string) (CgroupsPath, error) {
	slice, rest, ok := strings.Cut(s, ":")
	if !ok {
		return CgroupsPath{}, newNameError(s, "no ':'", ErrInvalidCgroupsPath)
	}
	prefix, name, ok := strings.Cut(rest, ":")
	if !ok {
		return CgroupsPath{}, newNameError(s, "one ':', want two", ErrInvalidCgroupsPath)
	}
	if n := strings.Count(name, ":"); n > 0 {
		return CgroupsPath{}, newNameError(s, strconv.Itoa(n+2)+" ':', want two", ErrInvalidCgroupsPath)
	}
	return CgroupsPath{Slice: slice, Prefix: prefix, Name: name}, nil
}

// IsSystemdCgroupsPath reports whether s should be read as a systemd-form
// cgroupsPath rather than a cgroupfs path: it has exactly two ':' and its
// first field is empty or looks like a slice unit name (ends in ".slice" and
// contains no '/'). It does not check that s resolves; CgroupsPath.Path does.
// A cgroupfs path such as "/kubepods/burstable/pod1234/abcd", or a literal
// directory name such as "/system.slice/kubepods-pod1234.slice:crio:abcd"
// (whose first field contains '/'), is not systemd form.
func IsSystemdCgroupsPath(s string) bool {
	first, rest, ok := strings.Cut(s, ":")
	if !ok || strings.Count(rest, ":") != 1 {
		return false
	}
	return first == "" || strings.HasSuffix(first, sliceSuffix) && strings.IndexByte(first, '/') < 0
}

// String returns the cgroupsPath text, "slice:prefix:name".
func (c CgroupsPath) String() string {
	return c.Slice + ":" + c.Prefix + ":" + c.Name
}

// ParentSlice returns the slice the unit goes into: Slice, or "system.slice"
// when Slice is empty, as runc and systemd default it for a system manager.
// (Rootless runc on cgroup v2 defaults to "user.slice" below the user's
// manager instead; that case is outside this package.)
func (c CgroupsPath) ParentSlice() string {
	if c.Slice == "" {
		return defaultSlice
	}
	return c.Slice
}

// UnitName returns the unit runc asks systemd to create (getUnitName in
// github.com/opencontainers/cgroups/systemd): Name itself when it ends in
// ".slice", otherwise the scope Prefix + "-" + Name + ".scope". An empty
// Prefix is not special-cased: ":" + ":abcd" gives "-abcd.scope", as in runc.
func (c CgroupsPath) UnitName() string {
	if strings.HasSuffix(c.Name, sliceSuffix) {
		return c.Name
	}
	return c.Prefix + "-" + c.Name + scopeSuffix
}

// Path returns the cgroup path, relative to the hierarchy's root, where the
// unit lives: ExpandSlice(ParentSlice()) joined with UnitName(), as runc
// derives it (getSliceFull/initPath and initPaths in
// github.com/opencontainers/cgroups/systemd). So
// "kubepods-burstable-pod1234.slice:cri-containerd:abcd" is
// "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice/cri-containerd-abcd.scope"
// and ":docker:abcd" is "/system.slice/docker-abcd.scope".
//
// A Name ending in ".slice" is placed directly under the parent slice's path
// exactly as runc computes it, e.g. "kubepods.slice::kubepods-besteffort.slice"
// is "/kubepods.slice/kubepods-besteffort.slice". (systemd itself places a
// slice by its own name; runc's path and systemd's agree only when the name
// extends the parent's, as kubelet's names do.)
//
// The parent slice must expand (ExpandSlice, error wrapping ErrInvalidSlice).
// The unit must be one systemd would create (unit_name_is_valid, or
// slice_name_is_valid for a slice, in systemd's src/basic/unit-name.c; errors
// wrap ErrInvalidName or ErrInvalidSlice). runc computes a path even for a unit systemd refuses,
// such as "docker-a/b.scope", and only fails when systemd rejects it; Path
// refuses it up front, so a returned path never contains "." or ".."
// components or more levels than the name says.
func (c CgroupsPath) Path() (string, error) {
	unit := c.UnitName()
	var err error
	if strings.HasSuffix(unit, sliceSuffix) {
		err = validateSliceName(unit)
	} else {
		err = validateUnitName(unit)
	}
	if err != nil {
		return "", err
	}
	dir, err := ExpandSlice(c.ParentSlice())
	if err != nil {
		return "", err
	}
	if len(dir)+1+len(unit) >= pathMax {
		return "", newNameError(c.String(), "expands to a path longer than PATH_MAX", ErrInvalidCgroupsPath)
	}
	if dir == "/" {
		return "/" + unit, nil
	}
	return dir + "/" + unit, nil
}
