package systemd

import (
	"errors"
	"strconv"
)

// ErrInvalidName reports a string that is not a valid systemd unit name
// (unit_name_is_valid in systemd's src/basic/unit-name.c).
var ErrInvalidName = errors.New("invalid unit name")

// ErrInvalidSlice reports a slice name that cannot be expanded into a cgroup
// path, or that systemd would refuse as a slice (slice_name_is_valid).
var ErrInvalidSlice = errors.New("invalid slice name")

// errInvalidEscape reports a malformed "\xNN" sequence in an escaped unit name.
var errInvalidEscape = errors.New("invalid escape sequence")

// errInvalidPath reports a path that systemd-escape --path refuses (a ".."
// component, an over-long path) or an escaped path that does not unescape to a
// normalized absolute path.
var errInvalidPath = errors.New("invalid path")

// ErrInvalidCgroupsPath reports an OCI linux.cgroupsPath that is not of the
// systemd form "slice:prefix:name" (it must contain exactly two ':').
var ErrInvalidCgroupsPath = errors.New(`invalid systemd cgroupsPath, want "slice:prefix:name"`)

// errInvalidKubelet reports a path or a name that is not a pod or container
// cgroup laid out the way kubelet and its CRI runtime lay them out.
var errInvalidKubelet = errors.New("not a kubelet pod or container cgroup")

// maxQuoted bounds how much of a bad input a NameError repeats.
const maxQuoted = 96

// NameError describes a name or path this package refuses. Err is one of the
// Err* sentinels of this package, so errors.Is works; Reason says what exactly
// is wrong with Name.
type NameError struct {
	Name   string // the offending input, truncated to 96 bytes
	Reason string // e.g. "double dash"
	Err    error
}

func newNameError(name, reason string, err error) *NameError {
	if len(name) > maxQuoted {
		name = name[:maxQuoted]
	}
	return &NameError{Name: name, Reason: reason, Err: err}
}

func (e *NameError) Error() string {
	return "systemd: " + e.Err.Error() + " " + strconv.Quote(e.Name) + ": " + e.Reason
}

func (e *NameError) Unwrap() error { return e.Err }
