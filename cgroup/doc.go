// Package cgroup answers "where is this process in the cgroup hierarchies?".
//
// It parses the bytes of /proc/<pid>/cgroup and /proc/<pid>/mountinfo, decides
// whether the host runs cgroup v1, v2, a hybrid of both or none, maps each
// controller to the mount that holds it and to the process's directory below
// that mount, and lists the ancestors of that directory up to the top visible
// cgroup. It also holds the vocabulary the v1 and v2 parsers share: CPU sets,
// the Version of a hierarchy, and the parse errors they all return (ParseError,
// ErrSyntax, ErrRange).
//
// Everything here is pure: functions take bytes or strings and return values,
// so they can be fuzzed and tested without a filesystem. Reading files is the
// job of package limits.
package cgroup
