//go:build !linux

package node_test

// syncTree does nothing off Linux, where the benchmark tree is only a
// captured tree read through the os package.
func syncTree(string) error { return nil }
