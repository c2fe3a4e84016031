//go:build !linux

// Command vmhog is the load of the VM tests' usage scenario; it charges
// memory to a Linux cgroup, so elsewhere it only says so.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "vmhog: runs only on Linux")
	os.Exit(2)
}
