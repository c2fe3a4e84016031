//go:build !linux

package limits

func affinityCPUs(int) int { return 0 }

func kernelTotalRAM() uint64 { return 0 }

func memoryRlimits(string) (as, data uint64) {
	if rlimits != nil {
		return rlimits()
	}
	return 0, 0
}
