// Command vmscan is vmprobe with -scan DIR: it also reports what node.Scan
// finds (package nodescan), at "/" from its own mountinfo and in any other
// directory holding a host's /sys/fs/cgroup and /proc with
// node.WithHostRoot. It is a program of its own because vmprobe is also
// built as a go 1.24 module, which node.Scan's golang.org/x/sys cannot be.
//
//	vmscan -label hostroot-inside -scan /host
package main

import (
	"os"

	"github.com/truelimit/truelimit/internal/e2e/probe"
	"github.com/truelimit/truelimit/internal/e2e/probe/nodescan"
)

func main() {
	os.Exit(probe.MainWithScan(os.Args[1:], os.Stdout, os.Stderr, nodescan.Scan))
}
