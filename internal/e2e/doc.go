// Package e2e holds the real-kernel VM matrix of issues 5 and 11: tests,
// behind the build tag e2e, that boot Debian's cloud kernels 6.1 and 6.12
// under QEMU, build cgroup trees inside, run the probe (cmd/vmprobe) there
// and assert what package limits reports, value by value, each with its
// scope (effective, or only the tightest visible):
//
//   - v2 on both kernels: Kubernetes pod shape (limits on the pod slice,
//     "max" on the container scope) and the reverse; ForCgroup in OCI
//     systemd and cgroupfs form, also for a scope not created yet; ForPID;
//   - usage (issue 12) on v2, both kernels booted with psi=1, the probe
//     calling DetectUsage and ForCgroupUsage (-usage) while cmd/vmhog loads
//     pods: the memory events of a container OOM-killed at its pod's limit
//     and of the pod (memory.events is hierarchical: the guest mounts
//     cgroup2 without memory_localevents), headroom and memory.high headroom
//     at a pod of two containers with shared-limit, the memory stall (PSI)
//     of a container throttled above memory.high, CPU throttling at a pod's
//     quota; and 6.1 with psi=0, which creates no PSI file;
//   - memory pressure events (issue 13) on v2, both kernels with psi=1:
//     examples/pressurecache growing its cache at memory.high 96 MiB and
//     memory.max 128 MiB (OOM-killed without the watcher, not saved by
//     GOMEMLIMIT alone, alive with it), cmd/vmwatch idle for 60 s (no
//     wake-up) and timing the trigger, inotify on memory.events and the PSI
//     poll as root, as uid 1000 with and without memory.pressure delegated,
//     and under a read-only cgroupfs; in the systemd guest, units whose
//     Environment= sets $MEMORY_PRESSURE_WATCH/$MEMORY_PRESSURE_WRITE as
//     systemd 254+ would (Debian 12 has 252), and /dev/null;
//   - v2 with private cgroup namespaces (cmd/nsexec): Docker-in-Docker,
//     with the outer mount rooted at "/../../../.." alone and beside a fresh
//     mount, and a process moved outside its namespace ("0::/../..");
//   - v1 on 6.1 with separate and co-mounted (cpu,cpuacct) hierarchies, and
//     v1 with a cgroup namespace; hybrid; hybrid with cgroup_no_v1=memory;
//   - Debian's runc with and without a cgroup namespace under a limited pod;
//   - a debootstrap systemd guest whose systemd-run makes kubelet's tree,
//     checked against the systemd package's names;
//   - GOMAXPROCS and GOMEMLIMIT with and without limits/auto on four CPUs;
//   - real container runtimes in the systemd guest (issue 11): podman with
//     crun and runc and both cgroup managers, docker.io and systemd-nspawn,
//     each container limited to 256 MiB and 0.5 CPU by --memory/--cpus, by
//     a --cgroup-parent with a private or the host's cgroup namespace, by a
//     podman pod, by its nspawn unit, or as runc inside a privileged podman
//     container, on cgroup v2 and (podman, docker) v1; the probe runs
//     inside (Detect) and on the guest host (ForPID of the container's
//     process, which says when a limit is hidden from the process);
//   - the exporter's DaemonSet shape (issue 15) in the podman guests (v2,
//     and v1 in systemd's hybrid layout): a crun
//     container with a private cgroup namespace and only the host's
//     /sys/fs/cgroup and /proc mounted read-only under /host, where the
//     probe scans /host with node.WithHostRoot; the guest host's own scan
//     (from its mountinfo) and ForCgroup must tell the same mode,
//     hierarchies and limited cgroups.
//
// The everyday `go test ./...` builds none of it. Run the matrix with
// scripts/vm-test.sh, which installs QEMU, busybox-static, the kernels, runc,
// a debootstrap root and a copy of it with the runtimes from Debian's apt,
// then runs
//
//	go test -tags e2e -count=1 -timeout 90m ./internal/e2e/
//
// with the TRUELIMIT_VM_* variables pointing at them.
package e2e
