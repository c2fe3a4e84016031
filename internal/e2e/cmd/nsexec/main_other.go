//go:build !linux

// Command nsexec runs a program in a new cgroup and mount namespace; cgroup
// namespaces exist only on Linux, so elsewhere it only says so.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "nsexec: cgroup namespaces exist only on Linux")
	os.Exit(2)
}
