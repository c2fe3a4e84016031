package limits

// TraceReads makes every detection report the NUL-terminated path of each
// file it reads to fn until the returned function is called. Not safe to use
// while detections run concurrently.
func TraceReads(fn func(path []byte)) (stop func()) {
	traceRead = fn
	return func() { traceRead = nil }
}
