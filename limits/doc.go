// Package limits tells a Linux process the resources it really has: the
// effective memory and CPU limits of its cgroups, found by walking from the
// process's own cgroup up through every ancestor it can see, on cgroup v1, v2
// and hybrid hosts, with the cgroup that set each value.
//
// Three uses, each with a runnable example:
//
//   - What are my limits? Detect (ForPID for another process) returns a
//     Result: memory and CPU limits, each Limited, Unlimited or Unknown with
//     its source cgroup, the host's totals, and Diagnostics for what could
//     not be seen or looks misconfigured.
//   - Set the Go runtime. SetGoMemLimit and SetGoMaxProcs set GOMEMLIMIT and
//     GOMAXPROCS from those limits (an explicit GOMEMLIMIT or GOMAXPROCS in
//     the environment always wins) and can follow resizes and moves into
//     another cgroup; a blank import of package limits/auto does both at
//     init.
//   - Size a sandbox. ForCgroup answers for any cgroup, in the cgroupfs or
//     the systemd form a runtime is given, even before it exists, and
//     Result.SandboxBudget turns the answer into a memory and CPU budget.
//
// Every file is read under one root directory (WithRoot, default "/"), so the
// same code reads the live system or a captured tree. Reading never panics:
// a missing controller, a vanished cgroup, EACCES or garbage in a file make
// that value Unknown and add a Diagnostic. Off Linux the live system answers
// ErrNotSupported. docs/SEMANTICS.md in the repository is the exact contract:
// which files are read, how they combine, and the JSON of a report.
package limits
