//go:build !linux

package limits

func affinityCPUs(int) int { return 0 }

func kernelTotalRAM() uint64 { return 0 }
