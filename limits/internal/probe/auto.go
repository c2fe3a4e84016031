//go:build truelimit_auto

package main

import "github.com/truelimit/truelimit/limits/auto"

func init() {
	autoProcsReason = func() string {
		_, procs := auto.Settings()
		return procs.Reason
	}
}
