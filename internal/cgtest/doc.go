// Package cgtest creates real cgroup v1 groups on the machine running the
// tests, so that tests can start processes inside them and check what the
// kernel enforces and what truelimit reports.
//
// It is an independent oracle: it locates hierarchies with its own small
// reading of /proc/self/mountinfo and /proc/self/cgroup and never uses the
// repository's cgroup package.
//
// The machine may be shared, so the harness follows strict rules: groups are
// created only as children of the test process's own cgroup in each
// controller's hierarchy; only processes the harness starts are moved into
// them; and every group and process is removed in t.Cleanup, processes first,
// then children before parents. Tests skip (never fail) when not running as
// root or when a controller has no writable v1 hierarchy, as on a v2-only host
// or on macOS, where this package has no code at all.
//
// NewUnified does the same in the cgroup2 (unified) hierarchy, on a v2 or a
// hybrid host, for tests that need a process at a chosen cgroup2 path; it
// enables no controller there.
package cgtest
