//go:build !linux

package main

// isTerminal is false off Linux, where cgroupinfo only says that cgroups
// are not supported.
func isTerminal(uintptr) bool { return false }
