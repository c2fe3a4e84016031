package node

// TraceReads makes Scan report the NUL-terminated path of each file it reads
// to fn until the returned function is called. Not safe to use while scans
// run concurrently.
func TraceReads(fn func(path []byte)) (stop func()) {
	traceRead = fn
	return func() { traceRead = nil }
}

// IgnoreLinkCounts makes Scan list every directory to its end, as on a
// filesystem whose link counts do not count subdirectories, until the
// returned function is called.
func IgnoreLinkCounts() (restore func()) {
	useLinkCounts = false
	return func() { useLinkCounts = true }
}
