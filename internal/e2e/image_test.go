//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"testing"
)

// busyboxInit is /init of every busybox VM: mount the kernel's file systems,
// run the scenario's script with `set -e` (its commands traced on the
// console), report a failed command, then power off. QEMU then exits.
const busyboxInit = `#!/bin/busybox sh
/bin/busybox --install -s
export PATH=/e2e:/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
(
	set -ex
	. /e2e/lib.sh
	. /e2e/scenario.sh
)
status=$?
[ "$status" = 0 ] || echo "` + markerSetupFailed + ` status $status"
echo ` + markerDone + `
poweroff -f
`

// libSh holds the shell helpers the scenarios share.
const libSh = `cg=/sys/fs/cgroup

# v2_tree PATH CONTROLLERS creates the cgroup PATH (from the root of the
# cgroup2 mount at $cg) and enables CONTROLLERS ("+memory +cpu") in
# cgroup.subtree_control of the root and every level above PATH.
v2_tree() {
	d=$cg
	for c in $(echo "$1" | tr / ' '); do
		echo "$2" > "$d/cgroup.subtree_control"
		d=$d/$c
		mkdir -p "$d"
	done
}

# v1_mount HIERARCHY... mounts a tmpfs at $cg and each v1 hierarchy (a
# comma list of controllers) at $cg/HIERARCHY, with the cpu and cpuacct
# symlinks systemd makes for a co-mounted cpu,cpuacct.
v1_mount() {
	mount -t tmpfs -o mode=755 cgroup_root "$cg"
	for h in "$@"; do
		mkdir -p "$cg/$h"
		mount -t cgroup -o "$h" cgroup "$cg/$h"
	done
	if [ -d "$cg/cpu,cpuacct" ]; then
		ln -s cpu,cpuacct "$cg/cpu"
		ln -s cpu,cpuacct "$cg/cpuacct"
	fi
}

# v1_cpuset_tree PATH creates PATH in the v1 cpuset hierarchy, copying
# cpuset.cpus and cpuset.mems down: a new v1 cpuset starts empty and takes
# no task until both are set.
v1_cpuset_tree() {
	d=$cg/cpuset
	for c in $(echo "$1" | tr / ' '); do
		p=$d
		d=$d/$c
		mkdir -p "$d"
		cat "$p/cpuset.cpus" > "$d/cpuset.cpus"
		cat "$p/cpuset.mems" > "$d/cpuset.mems"
	done
}

# run_in "DIR..." PROG ARGS... runs PROG inside every cgroup directory DIR
# (one per hierarchy), moved there before it starts.
run_in() {
	dirs=$1
	shift
	sh -ec 'for d in $0; do echo $$ > "$d/cgroup.procs"; done; exec "$@"' "$dirs" "$@"
}

# wait_cgroup PID PATH waits up to 30 s for process PID to be in the v2
# cgroup PATH.
wait_cgroup() {
	i=0
	until grep -qx "0::$2" "/proc/$1/cgroup"; do
		i=$((i + 1))
		[ "$i" -le 300 ]
		sleep 0.1
	done
}

# wait_file FILE waits up to 30 s for FILE to be written.
wait_file() {
	i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1))
		[ "$i" -le 300 ]
		sleep 0.1
	done
}
`

// busyboxImage writes the initramfs of a busybox VM and returns its path:
// busybox, the static test binaries in /e2e, /init, the helpers and the
// scenario's script, plus what extra adds.
func busyboxImage(t *testing.T, scenario string, extra func(*initramfs)) string {
	t.Helper()
	img := newInitramfs()
	for _, d := range []string{"bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "run", "tmp", "mnt"} {
		img.dir(d)
	}
	if err := img.copy("bin/busybox", vm.busybox); err != nil {
		t.Fatal(err)
	}
	img.symlink("bin/sh", "busybox")
	for _, name := range binaries {
		if err := img.copy("e2e/"+name, filepath.Join(vm.bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	img.script("init", busyboxInit)
	img.file("e2e/lib.sh", 0o644, []byte(libSh))
	img.file("e2e/scenario.sh", 0o644, []byte(scenario))
	if extra != nil {
		extra(img)
	}
	return writeImage(t, img.bytes())
}

// writeImage stores an initramfs in the test's temporary directory.
func writeImage(t *testing.T, data []byte) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "initramfs.cpio")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}
