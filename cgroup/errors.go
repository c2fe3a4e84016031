package cgroup

import "github.com/truelimit/truelimit/internal/parse"

// ErrSyntax reports that an interface file or a /proc line does not have the
// shape the kernel writes.
var ErrSyntax = parse.ErrSyntax

// ErrRange reports a number that does not fit, or lies outside the range the
// kernel accepts for that file.
var ErrRange = parse.ErrRange

// ParseError describes input that could not be parsed, by this package and
// by packages v1 and v2. It is a struct with three fields:
//
//	What  string // what was being parsed, e.g. "cpu.max" or "mountinfo line"
//	Input string // the offending text, truncated to 64 bytes
//	Err   error  // ErrSyntax or ErrRange
//
// Its Error method reads `cgroup: parsing <What> "<Input>": <Err>`, and it
// unwraps to Err, so callers can test with errors.Is. The type is defined
// next to the number scanners the parsers share, at the module's lowest
// layer, and re-exported here, where users look for it.
type ParseError = parse.Error
