// Command vmhog is the load the VM tests' usage scenario puts in cgroups
// (cmd/vmprobe reads what it causes): it charges anonymous memory, mapped
// with mmap and touched page by page, so that every page is charged to the
// cgroup it runs in at once and stays charged, whatever the Go runtime's
// own heap does.
//
//	vmhog hold MIB READY    touch MIB MiB, write READY, then sleep until killed
//	vmhog grow              touch 1 MiB after another until killed (the OOM killer)
//	vmhog churn MIB READY   hold MIB MiB, write READY, then map, touch and unmap
//	                        256 KiB over and over: above memory.high every new
//	                        charge is reclaimed and throttled (memory pressure)
//
// READY is written once the memory is held, so that a script can wait for it.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

const mib = 1 << 20

func main() {
	err := run(os.Args[1:])
	fmt.Fprintln(os.Stderr, "vmhog:", err)
	os.Exit(2)
}

// run holds, grows or churns memory until killed; it returns only why it
// could not.
func run(args []string) error {
	if len(args) == 1 && args[0] == "grow" {
		for {
			if _, err := touch(mib); err != nil {
				return err
			}
		}
	}
	if len(args) != 3 || (args[0] != "hold" && args[0] != "churn") {
		return fmt.Errorf("usage: vmhog hold MIB READY | grow | churn MIB READY")
	}
	n, err := strconv.Atoi(args[1])
	if err != nil || n <= 0 {
		return fmt.Errorf("bad MIB %q", args[1])
	}
	if _, err := touch(n * mib); err != nil {
		return err
	}
	if err := os.WriteFile(args[2], []byte("ready\n"), 0o644); err != nil {
		return err
	}
	if args[0] == "hold" {
		for {
			time.Sleep(time.Hour)
		}
	}
	for {
		b, err := touch(256 << 10)
		if err != nil {
			return err
		}
		if err := unix.Munmap(b); err != nil {
			return err
		}
	}
}

// touch maps size bytes of anonymous memory and writes to every page of it,
// so that the kernel charges each page now.
func touch(size int) ([]byte, error) {
	b, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, err
	}
	page := os.Getpagesize()
	for i := 0; i < len(b); i += page {
		b[i] = 1
	}
	return b, nil
}
