package parse

import (
	"errors"
	"strconv"
)

// ErrSyntax reports that an interface file or a /proc line does not have the
// shape the kernel writes. Package cgroup re-exports it as cgroup.ErrSyntax.
var ErrSyntax = errors.New("invalid syntax")

// ErrRange reports a number that does not fit, or lies outside the range the
// kernel accepts for that file. Package cgroup re-exports it as
// cgroup.ErrRange.
var ErrRange = errors.New("value out of range")

// maxQuoted bounds how much of a bad input an Error repeats, so an error for
// a huge garbage file stays readable.
const maxQuoted = 64

// Error describes input that could not be parsed. Err is ErrSyntax or
// ErrRange, so callers can test with errors.Is. Package cgroup re-exports it
// as cgroup.ParseError, the name users see.
type Error struct {
	What  string // what was being parsed, e.g. "cpu.max" or "mountinfo line"
	Input string // the offending text, truncated to 64 bytes
	Err   error
}

// NewError returns an *Error for what, quoting at most 64 bytes of input.
func NewError(what string, input []byte, err error) *Error {
	if len(input) > maxQuoted {
		input = input[:maxQuoted]
	}
	return &Error{What: what, Input: string(input), Err: err}
}

func (e *Error) Error() string {
	return "cgroup: parsing " + e.What + " " + strconv.Quote(e.Input) + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }
