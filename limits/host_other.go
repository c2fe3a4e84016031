//go:build !linux

package limits

func affinityCPUs(int) int { return 0 }
