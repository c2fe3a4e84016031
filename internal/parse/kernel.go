package parse

import "math"

// KernelVersion returns the major and minor numbers of a kernel release as
// read from /proc/sys/kernel/osrelease (the uname -r string), e.g.
// "6.18.44-fc-v782", "3.10.0-1160.el7.x86_64" or "5.4". Whatever follows the
// minor number is ignored. A release that does not start with
// "<digits>.<digits>" is ErrSyntax; a number above math.MaxInt32 is
// ErrRange.
func KernelVersion(b []byte) (major, minor int, err error) {
	t := TrimSpace(b)
	major, rest, err := leadingInt(t)
	if err == nil {
		if len(rest) == 0 || rest[0] != '.' {
			err = ErrSyntax
		} else {
			minor, _, err = leadingInt(rest[1:])
		}
	}
	if err != nil {
		return 0, 0, NewError("kernel release", t, err)
	}
	return major, minor, nil
}

// leadingInt parses the run of ASCII digits at the start of b and returns it
// with the rest of b. No digits is ErrSyntax.
func leadingInt(b []byte) (int, []byte, error) {
	n := 0
	for n < len(b) && b[n] >= '0' && b[n] <= '9' {
		n++
	}
	if n == 0 {
		return 0, b, ErrSyntax
	}
	v, err := Digits(b[:n])
	if err == nil && v > math.MaxInt32 {
		err = ErrRange
	}
	if err != nil {
		return 0, b, err
	}
	return int(v), b[n:], nil
}
