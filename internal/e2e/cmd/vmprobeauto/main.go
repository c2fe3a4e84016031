// Command vmprobeauto is vmprobe with limits/auto linked in: at init the
// import sets GOMAXPROCS and GOMEMLIMIT from the walked cgroup limits, so the
// probe's result shows what a service importing it runs with. Built with
// -tags godebug_containermaxprocs or godebug_updatemaxprocs it carries a
// //go:debug directive setting that GODEBUG to 0, which limits/auto obeys
// as the runtime does.
package main

import (
	"os"

	"github.com/truelimit/truelimit/internal/e2e/probe"
	_ "github.com/truelimit/truelimit/limits/auto"
)

func main() {
	os.Exit(probe.Main(os.Args[1:], os.Stdout, os.Stderr))
}
