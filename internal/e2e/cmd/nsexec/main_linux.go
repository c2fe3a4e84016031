// Command nsexec runs a program in a new cgroup namespace and a new mount
// namespace, the way a container runtime starts a container with a private
// cgroup namespace (busybox's unshare has no flag for it).
//
//	nsexec [-ready FILE] PROG ARGS...
//
// It calls unshare(CLONE_NEWCGROUP|CLONE_NEWNS): the cgroup the process is in
// becomes the root of its cgroup view (cgroup_namespaces(7)), and mounts made
// afterwards stay private to it. With -ready it then writes its PID to FILE
// and waits until another process has moved it to a different cgroup (until
// /proc/self/cgroup changes), which is how a test puts a process outside its
// own namespace's root: from inside the namespace the kernel refuses the
// move. Then it executes PROG, which keeps both namespaces.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// moveTimeout bounds the wait for the move announced by -ready.
const moveTimeout = 30 * time.Second

func init() {
	// Namespaces belong to threads: keep main on the thread that unshares
	// and executes PROG.
	runtime.LockOSThread()
}

func main() {
	ready := flag.String("ready", "", "write the PID to `FILE` after unsharing and wait until moved to another cgroup")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: nsexec [-ready FILE] PROG ARGS...")
		os.Exit(2)
	}
	if err := run(*ready, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "nsexec:", err)
		os.Exit(1)
	}
}

func run(ready string, argv []string) error {
	prog, err := exec.LookPath(argv[0])
	if err != nil {
		return err
	}
	if err := unix.Unshare(unix.CLONE_NEWCGROUP | unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("unshare: %w", err)
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make / private: %w", err)
	}
	if ready != "" {
		if err := awaitMove(ready); err != nil {
			return err
		}
	}
	return unix.Exec(prog, argv, os.Environ())
}

// awaitMove announces the PID in file and waits until /proc/self/cgroup
// differs from what it read right after unsharing.
func awaitMove(file string) error {
	before, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return err
	}
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, file); err != nil {
		return err
	}
	for deadline := time.Now().Add(moveTimeout); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		now, err := os.ReadFile("/proc/self/cgroup")
		if err != nil {
			return err
		}
		if !bytes.Equal(now, before) {
			return nil
		}
	}
	return errors.New("nobody moved the process to another cgroup within " + moveTimeout.String())
}
