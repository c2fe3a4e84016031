// Package pressure tells a program, while it runs, that memory is getting
// tight for its cgroup: the kernel's pressure stall information (PSI), the
// memory.events counters of cgroup v2, v1's pressure levels and OOM
// notifications, and the headroom left below the limit that binds it.
//
// Watch sets up the best sources the kernel and the process's privileges
// allow, in this order, and reports each as it delivers an Event:
//
//   - systemd's memory pressure protocol ($MEMORY_PRESSURE_WATCH and
//     $MEMORY_PRESSURE_WRITE, systemd 254+, docs/PRESSURE.md in systemd): a
//     PSI file watched for POLLPRI, an AF_UNIX stream socket or a FIFO
//     watched for POLLIN; "/dev/null" turns pressure events off;
//   - a PSI trigger on the memory.pressure of the process's cgroup2 cgroup
//     and, on v2, of the level that sets its memory limit
//     (Documentation/accounting/psi.rst, "Monitoring for pressure
//     thresholds"), its window rounded up to a multiple of 2 s without
//     CAP_SYS_RESOURCE;
//   - on v1, the memory.pressure_level notification through
//     cgroup.event_control and an eventfd
//     (Documentation/admin-guide/cgroup-v1/memory.rst, "Memory Pressure");
//   - otherwise the PSI totals of memory.pressure polled at an interval,
//     or, without PSI, the headroom alone.
//
// The counters (v2 memory.events high, max, oom and oom_kill of the process's
// cgroup and of the level that sets its limit; v1 memory.failcnt and
// memory.oom_control's oom_kill) are watched with inotify on v2 (the kernel
// signals a change of memory.events as a modification of the file), with an
// eventfd on memory.oom_control on v1, and polled where these cannot be set
// up (v1 memory.failcnt has no notification). Every sample also checks the
// headroom, for the low-headroom event.
//
// Where only kernel notifications are in use, the watcher runs no timer: it
// sleeps in poll(2) until the kernel signals, and Watcher.Wakeups stays 0
// while nothing happens. Values are read through limits.UsagePoller, the
// same reading as limits.DetectUsage. docs/SEMANTICS.md ("Memory pressure
// events") has the rules.
package pressure
