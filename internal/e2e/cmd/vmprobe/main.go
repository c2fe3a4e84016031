// Command vmprobe is the probe the VM tests run inside each virtual machine:
// it prints what package limits reports for its own cgroup, and for the
// cgroups and processes named with -forcgroup and -forpid, as one
// "TRUELIMIT-RESULT <json>" line (see package probe); with -usage through
// DetectUsage and its kin, the reports holding the usage, and with -read
// the files named read around those calls. It links no limits/auto, so
// GOMAXPROCS is what the Go runtime alone chose.
//
//	vmprobe -label pod-limit -forcgroup kubepods-pod1.slice:cri-containerd:abc -forpid 42
//	vmprobe -label headroom -usage -forcgroup /pod/ctr -read /sys/fs/cgroup/pod/memory.current
package main

import (
	"os"

	"github.com/truelimit/truelimit/internal/e2e/probe"
)

func main() {
	os.Exit(probe.Main(os.Args[1:], os.Stdout, os.Stderr))
}
