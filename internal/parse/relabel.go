package parse

// Relabel returns err with its *Error naming what instead of the generic
// field this package used, e.g. "memory.max" instead of "unsigned integer",
// keeping the quoted input and the sentinel. Any other error, and nil, is
// returned unchanged. It allocates only when err is an *Error.
func Relabel(err error, what string) error {
	pe, ok := err.(*Error)
	if !ok {
		return err
	}
	return &Error{What: what, Input: pe.Input, Err: pe.Err}
}

// RelabelKey returns err, from FlatKeyed or FlatKeyedAll, with its *Error
// naming file before the key it names, e.g. "memory.stat anon" for "anon".
// Any other error, and nil, is returned unchanged. It allocates only when
// err is an *Error.
func RelabelKey(err error, file string) error {
	pe, ok := err.(*Error)
	if !ok {
		return err
	}
	return Relabel(err, file+" "+pe.What)
}
