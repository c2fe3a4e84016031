//go:build !linux

package limits

func affinityCPUs(int) int { return 0 }

func foreignCgroupNamespace() string { return "" }

func inForeignCgroupNamespace() bool { return false }
