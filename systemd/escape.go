package systemd

import (
	"strconv"
	"strings"
)

// pathMax is PATH_MAX: systemd refuses paths whose length plus the
// terminating NUL exceeds it (path_is_safe in src/basic/path-util.c).
const pathMax = 4096

// nameMax is NAME_MAX: systemd refuses path components longer than this
// (path_find_first_component in src/basic/path-util.c).
const nameMax = 255

const hexDigits = "0123456789abcdef"

// isUnitChar reports whether c may appear unescaped in a unit name: systemd's
// VALID_CHARS, [A-Za-z0-9:_.\-\\] (src/basic/unit-name.c).
func isUnitChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == ':' || c == '_' || c == '.' || c == '-' || c == '\\'
}

// keepsLiteral reports whether escape copies c unchanged: a unit-name
// character other than '-' and '\', which carry meaning in escaped names.
func keepsLiteral(c byte) bool {
	return c != '-' && c != '\\' && isUnitChar(c)
}

// escape escapes s for use in a unit name as systemd-escape(1) does without
// options (unit_name_escape in systemd's src/basic/unit-name.c): '/' becomes
// '-'; '-', '\', a leading '.', and every byte outside [A-Za-z0-9:_.] become
// "\xNN" with two lowercase hex digits. So "foo-bar/baz" escapes to
// "foo\x2dbar-baz" and ".hidden" to "\x2ehidden". unescape undoes it.
func escape(s string) string {
	extra := 0
	for i := 0; i < len(s); i++ {
		if needsHexEscape(s, i) {
			extra += 3
		}
	}
	if extra == 0 && !strings.Contains(s, "/") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + extra)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case needsHexEscape(s, i):
			b.WriteByte('\\')
			b.WriteByte('x')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		case c == '/':
			b.WriteByte('-')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func needsHexEscape(s string, i int) bool {
	c := s[i]
	if i == 0 && c == '.' {
		return true
	}
	return c != '/' && !keepsLiteral(c)
}

// unescape reverses escape as systemd-escape --unescape does
// (unit_name_unescape in systemd's src/basic/unit-name.c): '-' becomes '/' and
// "\xNN" (either case of hex digit) becomes the byte 0xNN; every other byte is
// copied. A '\' not followed by 'x' and two hex digits is an error wrapping
// errInvalidEscape. Unlike the C code, which works on NUL-terminated strings,
// "\x00" decodes to a NUL byte rather than ending the result.
func unescape(s string) (string, error) {
	if !strings.ContainsAny(s, `-\`) {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '-':
			b.WriteByte('/')
		case '\\':
			if i+3 >= len(s) || s[i+1] != 'x' {
				return "", newNameError(s, "'\\' at byte "+strconv.Itoa(i)+" not followed by xNN", errInvalidEscape)
			}
			hi, okHi := unhex(s[i+2])
			lo, okLo := unhex(s[i+3])
			if !okHi || !okLo {
				return "", newNameError(s, "bad hex digits after \\x at byte "+strconv.Itoa(i), errInvalidEscape)
			}
			b.WriteByte(hi<<4 | lo)
			i += 3
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// escapePath escapes a file system path as systemd-escape --path does
// (unit_name_path_escape in current systemd's src/basic/unit-name.c; older
// releases refused "." components instead of dropping them). The path is
// first simplified like path_simplify: repeated and
// trailing slashes and "." components are dropped, and so are ".." components
// at the start of an absolute path. "" and "/" escape to "-". The leading
// slash is then dropped and the rest escaped with escape, so
// "/tmp//waldi/foobar/" becomes "tmp-waldi-foobar" and "/dev/sda-1" becomes
// "dev-sda\x2d1". Any other ".." component, a relative path that simplifies to
// nothing ("."), a component longer than 255 bytes, a simplified path of 4096
// bytes or more, or a NUL byte (which no C string can hold) is refused with
// an error wrapping errInvalidPath.
func escapePath(p string) (string, error) {
	if p == "" {
		return "-", nil
	}
	if strings.IndexByte(p, 0) >= 0 {
		return "", newNameError(p, "NUL byte", errInvalidPath)
	}
	absolute := p[0] == '/'
	var simple strings.Builder
	simple.Grow(len(p))
	beginning := true
	for rest := p; rest != ""; {
		var comp string
		comp, rest, _ = strings.Cut(rest, "/")
		if comp == "" || comp == "." {
			continue
		}
		if comp == ".." && absolute && beginning {
			continue
		}
		beginning = false
		if comp == ".." {
			return "", newNameError(p, `".." component`, errInvalidPath)
		}
		if len(comp) > nameMax {
			return "", newNameError(p, "component longer than 255 bytes", errInvalidPath)
		}
		if simple.Len() > 0 {
			simple.WriteByte('/')
		}
		simple.WriteString(comp)
	}
	if simple.Len() == 0 {
		if absolute {
			return "-", nil
		}
		return "", newNameError(p, `relative path simplifies to "."`, errInvalidPath)
	}
	length := simple.Len()
	if absolute {
		length++
	}
	if length+1 > pathMax {
		return "", newNameError(p, "path longer than PATH_MAX", errInvalidPath)
	}
	return escape(simple.String()), nil
}

// unescapePath reverses escapePath as systemd-escape --path --unescape does
// (unit_name_path_unescape in systemd's src/basic/unit-name.c): "-" is "/",
// anything else is unescaped with unescape and must then be a normalized
// relative path (no leading or trailing '/', no empty, "." or ".."
// components), which is returned with a leading '/'. A NUL byte, a component
// longer than 255 bytes or a result of 4096 bytes or more is refused too.
// Errors wrap errInvalidEscape or errInvalidPath.
func unescapePath(s string) (string, error) {
	if s == "" {
		return "", newNameError(s, "empty", errInvalidPath)
	}
	if s == "-" {
		return "/", nil
	}
	w, err := unescape(s)
	if err != nil {
		return "", err
	}
	if w[0] == '/' || w[len(w)-1] == '/' {
		return "", newNameError(s, "leading or trailing slash", errInvalidPath)
	}
	if strings.IndexByte(w, 0) >= 0 {
		return "", newNameError(s, "NUL byte", errInvalidPath)
	}
	if len(w)+2 > pathMax {
		return "", newNameError(s, "path longer than PATH_MAX", errInvalidPath)
	}
	for rest := w; rest != ""; {
		var comp string
		comp, rest, _ = strings.Cut(rest, "/")
		switch {
		case comp == "":
			return "", newNameError(s, "empty path component", errInvalidPath)
		case comp == "." || comp == "..":
			return "", newNameError(s, `"`+comp+`" component`, errInvalidPath)
		case len(comp) > nameMax:
			return "", newNameError(s, "component longer than 255 bytes", errInvalidPath)
		}
	}
	return "/" + w, nil
}
