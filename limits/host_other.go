//go:build !linux

package limits

func affinityCPUs(string) int { return 0 }

func foreignCgroupNamespace() string { return "" }
