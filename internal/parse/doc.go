// Package parse holds the small byte scanners the cgroup, v1 and v2 parsers
// share: the parse-error vocabulary (Error, ErrSyntax, ErrRange, which package
// cgroup re-exports as cgroup.ParseError, cgroup.ErrSyntax and
// cgroup.ErrRange), the line and field iterators, decimal numbers, the v2
// "max" keyword, flat keyed files ("key value" lines, one key or several in
// one pass), /proc/meminfo's MemTotal and the kernel release.
//
// Every function takes the bytes of a file as read (usually with a trailing
// newline), never allocates on the success path, and reports bad input as an
// *Error wrapping ErrSyntax or ErrRange. It is the ground floor: it imports
// no other package of this module.
package parse
