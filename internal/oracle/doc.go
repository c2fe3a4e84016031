// Package oracle holds differential tests that check truelimit against other
// implementations: github.com/moby/sys/mountinfo and github.com/containerd/cgroups/v3
// for mountinfo and /proc/<pid>/cgroup parsing (and containerd's cgroup1 Stat for the
// usage of a real v1 cgroup), github.com/opencontainers/cgroups for
// systemd names and, through its fs and fs2 managers, for where runc puts a relative
// cgroupfs path. It is a module of its own so that these heavy test-only dependencies
// never reach the module graph of a program that imports truelimit.
package oracle
