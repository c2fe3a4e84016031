//go:build !linux

package pressure

import (
	"context"

	"github.com/truelimit/truelimit/limits"
)

// Watch returns limits.ErrNotSupported: cgroups exist only on Linux.
func Watch(ctx context.Context, opts ...Option) (*Watcher, error) {
	return nil, limits.ErrNotSupported
}
