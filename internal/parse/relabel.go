package parse

import "github.com/truelimit/truelimit/cgroup"

// Relabel returns err with its *cgroup.ParseError naming what instead of the
// generic field this package used, e.g. "memory.max" instead of "unsigned
// integer", keeping the quoted input and the sentinel. Any other error, and
// nil, is returned unchanged. It allocates only when err is a *ParseError.
func Relabel(err error, what string) error {
	pe, ok := err.(*cgroup.ParseError)
	if !ok {
		return err
	}
	return &cgroup.ParseError{What: what, Input: pe.Input, Err: pe.Err}
}
