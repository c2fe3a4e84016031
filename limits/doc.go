// Package limits tells a Linux process the resources it really has: the
// effective memory and CPU limits of its cgroups, found by walking from the
// process's own cgroup up through every ancestor it can see, on cgroup v1, v2
// and hybrid hosts.
//
// Every file is read under one root directory (WithRoot, default "/"), so the
// same code reads a live system or a fixture tree. Each value in a Result
// names the cgroup that set it, and Diagnostics say what could not be seen or
// looks misconfigured. Reading never panics: a missing controller, a vanished
// cgroup, EACCES or garbage in a file make that value Unknown and add a
// Diagnostic.
//
// Off Linux, Detect on the live system returns ErrNotSupported.
package limits
