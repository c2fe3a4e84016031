// Package v2 parses the interface files of the cgroup v2 unified hierarchy
// (Documentation/admin-guide/cgroup-v2.rst; for the pressure files also
// Documentation/accounting/psi.rst): one function per file format,
// bytes in, values out. It reads no files itself; package limits does, and
// hands the bytes here.
//
// Errors are *cgroup.ParseError values naming the file and wrapping
// cgroup.ErrSyntax (not the shape the kernel writes) or cgroup.ErrRange (a
// number the kernel would never hold in that file).
package v2
