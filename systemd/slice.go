package systemd

import "strings"

const (
	sliceSuffix = ".slice"
	scopeSuffix = ".scope"
	// rootSlice is the root of systemd's slice tree, the cgroup "/".
	rootSlice = "-.slice"
	// defaultSlice is where runc and systemd put a unit whose slice is not given.
	defaultSlice = "system.slice"
)

// ExpandSlice returns the cgroup path of a systemd slice. systemd places
// slices by name: each '-' in the name is a level of the tree, so
// "kubepods-burstable-pod1234.slice" lives at
// "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice"
// (systemd.slice(5)), and "-.slice", the root slice, at "/".
//
// It matches github.com/opencontainers/cgroups/systemd.ExpandSlice, which runc
// and containerd use, case for case: the name must end in ".slice", contain no
// '/', and have no empty component (no leading, trailing or double dash, and
// not just ".slice"). Like runc it does not check the characters, so a name
// systemd itself would refuse (slice_name_is_valid in systemd's
// src/basic/unit-name.c, which CgroupsPath.Path applies) may still expand.
// Unlike runc it bounds its work: the expanded path grows with the square of
// the name, so a name of 256 bytes or more, which systemd refuses
// (UNIT_NAME_MAX), or one whose path would exceed PATH_MAX is an error,
// found before anything is built. Errors are *NameError wrapping
// ErrInvalidSlice.
func ExpandSlice(slice string) (string, error) {
	if len(slice) >= unitNameMax {
		return "", newNameError(slice, "longer than 255 bytes", ErrInvalidSlice)
	}
	base, ok := strings.CutSuffix(slice, sliceSuffix)
	if !ok {
		return "", newNameError(slice, "missing .slice suffix", ErrInvalidSlice)
	}
	if strings.IndexByte(slice, '/') >= 0 {
		return "", newNameError(slice, "contains '/'", ErrInvalidSlice)
	}
	if base == "-" {
		return "/", nil
	}
	if reason := dashProblem(base); reason != "" {
		return "", newNameError(slice, reason, ErrInvalidSlice)
	}
	// Each level i is "/" + base[:end of component i] + ".slice".
	size := 0
	for i := 0; i <= len(base); i++ {
		if i == len(base) || base[i] == '-' {
			size += 1 + i + len(sliceSuffix)
		}
	}
	if size >= pathMax {
		return "", newNameError(slice, "expands to a path longer than PATH_MAX", ErrInvalidSlice)
	}
	var b strings.Builder
	b.Grow(size)
	for i := 0; i <= len(base); i++ {
		if i == len(base) || base[i] == '-' {
			b.WriteByte('/')
			b.WriteString(base[:i])
			b.WriteString(sliceSuffix)
		}
	}
	return b.String(), nil
}
