// Command vmprobebuild is vmprobe that first calls
// limits.SetGoMaxProcs(limits.WithBuildGODEBUG()): the library obeys the
// containermaxprocs and updatemaxprocs defaults the binary carries. Built
// with -tags godebug_containermaxprocs or godebug_updatemaxprocs it carries
// a //go:debug directive setting that GODEBUG to 0.
package main

import (
	"fmt"
	"os"

	"github.com/truelimit/truelimit/internal/e2e/probe"
	"github.com/truelimit/truelimit/limits"
)

func main() {
	if _, _, err := limits.SetGoMaxProcs(limits.WithBuildGODEBUG()); err != nil {
		fmt.Fprintln(os.Stderr, "vmprobebuild:", err)
		os.Exit(2)
	}
	os.Exit(probe.Main(os.Args[1:], os.Stdout, os.Stderr))
}
