// Package parse holds the small byte scanners the v1 and v2 interface-file
// parsers share: decimal numbers, the v2 "max" keyword, flat keyed files
// ("key value" lines), /proc/meminfo's MemTotal and the kernel release.
//
// Every function takes the bytes of a file as read (usually with a trailing
// newline), never allocates on the success path, and reports bad input as a
// *cgroup.ParseError wrapping cgroup.ErrSyntax or cgroup.ErrRange.
package parse
