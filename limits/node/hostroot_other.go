//go:build !linux

package node

import (
	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/readfile"
	"github.com/truelimit/truelimit/limits"
)

// hostMounts needs statfs(2) of Linux's cgroup filesystems.
func hostMounts(*readfile.Root, string) ([]cgroup.Mount, error) {
	return nil, limits.ErrNotSupported
}
