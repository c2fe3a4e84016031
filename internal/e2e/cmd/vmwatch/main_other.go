//go:build !linux

// Command vmwatch measures limits/pressure in the VM tests; it watches Linux
// cgroups, so elsewhere it only says so.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "vmwatch: runs only on Linux")
	os.Exit(2)
}
