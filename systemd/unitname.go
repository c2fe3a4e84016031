package systemd

import (
	"strconv"
	"strings"
)

// unitNameMax is UNIT_NAME_MAX: a unit name must be shorter than this many
// bytes (src/basic/unit-name.h).
const unitNameMax = 256

// unitTypes are the suffixes systemd knows (unit_type_table in
// src/basic/unit-def.c).
var unitTypes = [...]string{
	"service", "mount", "swap", "socket", "target", "device",
	"automount", "timer", "path", "slice", "scope",
}

func isUnitType(s string) bool {
	for _, t := range unitTypes {
		if s == t {
			return true
		}
	}
	return false
}

// validateUnitName checks name the way systemd checks a unit it is asked to
// load or create (unit_name_is_valid with UNIT_NAME_PLAIN|UNIT_NAME_INSTANCE
// in systemd's src/basic/unit-name.c): it must be 1 to 255 bytes, end in a
// known type suffix such as ".scope" or ".slice" after a non-empty prefix, use
// only [A-Za-z0-9:_.\-\\] and '@' before the suffix, not start with '@', and,
// if it has an '@', name an instance ("foo@bar.service"), not a template
// ("foo@.service"), since only instances have cgroups. Errors wrap
// ErrInvalidName.
func validateUnitName(name string) error {
	if reason := unitNameProblem(name); reason != "" {
		return newNameError(name, reason, ErrInvalidName)
	}
	return nil
}

func unitNameProblem(name string) string {
	if name == "" {
		return "empty"
	}
	if len(name) >= unitNameMax {
		return "longer than 255 bytes"
	}
	dot := strings.LastIndexByte(name, '.')
	if dot < 0 {
		return "no type suffix"
	}
	if dot == 0 {
		return "empty prefix before the type suffix"
	}
	if !isUnitType(name[dot+1:]) {
		return "unknown unit type " + strconv.Quote(name[dot+1:])
	}
	at := -1
	for i := 0; i < dot; i++ {
		c := name[i]
		if c == '@' {
			if at < 0 {
				at = i
			}
			continue
		}
		if !isUnitChar(c) {
			return "invalid character " + describeByte(c) + " at byte " + strconv.Itoa(i)
		}
	}
	switch {
	case at == 0:
		return "starts with '@'"
	case at > 0 && at+1 == dot:
		return "template without an instance"
	}
	return ""
}

// validateSliceName checks name the way systemd checks a slice unit
// (slice_name_is_valid in systemd's src/basic/unit-name.c): a valid unit name
// without '@' that ends in ".slice", where the part before ".slice" does not
// start or end with '-' and has no "--". "-.slice", the root slice, is valid.
// This is stricter than ExpandSlice, which follows runc and accepts any
// characters. Errors wrap ErrInvalidSlice.
func validateSliceName(name string) error {
	if reason := sliceNameProblem(name); reason != "" {
		return newNameError(name, reason, ErrInvalidSlice)
	}
	return nil
}

func sliceNameProblem(name string) string {
	if reason := unitNameProblem(name); reason != "" {
		return reason
	}
	if name == rootSlice {
		return ""
	}
	base, ok := strings.CutSuffix(name, sliceSuffix)
	if !ok {
		return "missing .slice suffix"
	}
	if strings.IndexByte(base, '@') >= 0 {
		return "slices cannot be instances ('@')"
	}
	return dashProblem(base)
}

// dashProblem reports why base, a slice name without ".slice", cannot be split
// at its dashes into non-empty components, or "" if it can.
func dashProblem(base string) string {
	switch {
	case base == "":
		return "empty name before .slice"
	case base[0] == '-':
		return "leading dash"
	case base[len(base)-1] == '-':
		return "trailing dash"
	case strings.Contains(base, "--"):
		return "double dash"
	}
	return ""
}

// describeByte names c for an error: quoted if it is printable ASCII, in hex
// otherwise (a lone byte of a UTF-8 sequence is not a character).
func describeByte(c byte) string {
	if ' ' <= c && c <= '~' {
		return strconv.QuoteRune(rune(c))
	}
	return "0x" + string([]byte{hexDigits[c>>4], hexDigits[c&0xf]})
}
