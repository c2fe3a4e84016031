package cgroup

import (
	"errors"
	"strconv"
)

// ErrSyntax reports that an interface file or a /proc line does not have the
// shape the kernel writes.
var ErrSyntax = errors.New("invalid syntax")

// ErrRange reports a number that does not fit, or lies outside the range the
// kernel accepts for that file.
var ErrRange = errors.New("value out of range")

// maxQuoted bounds how much of a bad input a ParseError repeats, so an error
// for a huge garbage file stays readable.
const maxQuoted = 64

// ParseError describes input that could not be parsed. Err is ErrSyntax or
// ErrRange, so callers can test with errors.Is.
type ParseError struct {
	What  string // what was being parsed, e.g. "cpu.max" or "mountinfo line"
	Input string // the offending text, truncated to 64 bytes
	Err   error
}

// NewParseError returns a *ParseError for what, quoting at most 64 bytes of input.
func NewParseError(what string, input []byte, err error) *ParseError {
	if len(input) > maxQuoted {
		input = input[:maxQuoted]
	}
	return &ParseError{What: what, Input: string(input), Err: err}
}

func (e *ParseError) Error() string {
	return "cgroup: parsing " + e.What + " " + strconv.Quote(e.Input) + ": " + e.Err.Error()
}

func (e *ParseError) Unwrap() error { return e.Err }
