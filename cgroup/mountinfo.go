package cgroup

import (
	"bytes"
	"strings"
)

// Filesystem types of cgroup mounts, as mountinfo's fstype field names them.
const (
	FSTypeV1 = "cgroup"
	FSTypeV2 = "cgroup2"
)

// Mount is one cgroup or cgroup2 line of /proc/<pid>/mountinfo
// (Documentation/filesystems/proc.rst, "3.5 /proc/<pid>/mountinfo").
type Mount struct {
	// Root is field 4: the path of the cgroup, inside the hierarchy, that is
	// mounted here. It starts with "/.." when that cgroup lies outside the
	// reader's cgroup namespace.
	Root string
	// MountPoint is field 5, where the hierarchy is visible.
	MountPoint string
	// FSType is FSTypeV1 or FSTypeV2.
	FSType string
	// SuperOptions is the last field: for a v1 hierarchy it names the
	// controllers bound to it ("rw,cpu,cpuacct") and a named hierarchy
	// ("rw,name=systemd").
	SuperOptions string
}

// IsV2 reports whether m is the unified (cgroup2) hierarchy.
func (m Mount) IsV2() bool { return m.FSType == FSTypeV2 }

// Usable reports whether the mounted cgroup lies inside the reader's cgroup
// namespace. The kernel shows a root starting with "/.." for a mount made in
// another namespace; paths under it cannot be related to /proc/<pid>/cgroup.
func (m Mount) Usable() bool { return !outsideNamespace(m.Root) }

// HasController reports whether the v1 hierarchy mounted here has the
// controller bound to it. Named hierarchies ("name=systemd") and mount options
// ("rw", "xattr", "noprefix", ...) are not controllers. A cgroup2 mount has no
// controllers in its options: they are listed in cgroup.controllers instead.
func (m Mount) HasController(controller string) bool {
	if m.IsV2() || !IsV1Controller(controller) {
		return false
	}
	return hasOption(m.SuperOptions, controller)
}

// Name returns the name of a named v1 hierarchy ("systemd" for
// "name=systemd"), or "".
func (m Mount) Name() string {
	if m.IsV2() {
		return ""
	}
	for opts := m.SuperOptions; opts != ""; {
		var opt string
		opt, opts, _ = strings.Cut(opts, ",")
		if name, ok := strings.CutPrefix(opt, "name="); ok {
			return name
		}
	}
	return ""
}

func (m Mount) hasAnyController() bool {
	for opts := m.SuperOptions; opts != ""; {
		var opt string
		opt, opts, _ = strings.Cut(opts, ",")
		if IsV1Controller(opt) {
			return true
		}
	}
	return false
}

// Controllers returns the v1 controllers bound to this mount, in the order of
// its super options.
func (m Mount) Controllers() []string {
	var out []string
	if m.IsV2() {
		return out
	}
	for opts := m.SuperOptions; opts != ""; {
		var opt string
		opt, opts, _ = strings.Cut(opts, ",")
		if IsV1Controller(opt) {
			out = append(out, opt)
		}
	}
	return out
}

// v1Controllers lists the controllers a v1 hierarchy can bind
// (include/linux/cgroup_subsys.h). Anything else in the super options is a
// mount option or a hierarchy name.
var v1Controllers = [...]string{
	"cpuset", "cpu", "cpuacct", "io", "blkio", "memory", "devices", "freezer",
	"net_cls", "perf_event", "net_prio", "hugetlb", "pids", "rdma", "misc", "debug",
}

// IsV1Controller reports whether name is a controller the kernel can bind to
// a v1 hierarchy.
func IsV1Controller(name string) bool {
	for _, c := range v1Controllers {
		if c == name {
			return true
		}
	}
	return false
}

func hasOption(opts, want string) bool {
	for opts != "" {
		var opt string
		opt, opts, _ = strings.Cut(opts, ",")
		if opt == want {
			return true
		}
	}
	return false
}

// ParseMountInfo returns the cgroup and cgroup2 mounts of a mountinfo file, in
// file order. Lines of other filesystems are skipped after a look at their
// fstype only. A line without the fields the kernel always writes is an error:
// mountinfo comes from the kernel, so a malformed line means the input is not
// a mountinfo file.
func ParseMountInfo(b []byte) ([]Mount, error) {
	var mounts []Mount
	for len(b) > 0 {
		var line []byte
		line, b = nextLine(b)
		if len(line) == 0 {
			continue
		}
		m, ok, err := ParseMountInfoLine(line)
		if err != nil {
			return nil, err
		}
		if ok {
			mounts = append(mounts, m)
		}
	}
	return mounts, nil
}

// ParseMountInfoLine parses one mountinfo line:
//
//	36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//
// ok is false, with no error, for a well-formed line of another filesystem.
// Root and mount point have their octal escapes ("\040" for a space) undone.
func ParseMountInfoLine(line []byte) (m Mount, ok bool, err error) {
	bad := func() (Mount, bool, error) {
		return Mount{}, false, NewParseError("mountinfo line", line, ErrSyntax)
	}
	// The optional fields end at a lone "-"; the first six fields come before it.
	sep := bytes.Index(line, []byte(" - "))
	if sep < 0 {
		return bad()
	}
	head, tail := line[:sep], line[sep+3:]
	var fields [6][]byte
	for i := range fields {
		var f []byte
		f, head, _ = bytes.Cut(head, []byte{' '})
		if len(f) == 0 {
			return bad()
		}
		fields[i] = f
	}
	fstype, rest, found := bytes.Cut(tail, []byte{' '})
	if !found || len(fstype) == 0 {
		return bad()
	}
	_, superOpts, found := bytes.Cut(rest, []byte{' '})
	if !found {
		return bad()
	}
	if string(fstype) != FSTypeV1 && string(fstype) != FSTypeV2 {
		return Mount{}, false, nil
	}
	root, ok1 := unescapeOctal(fields[3])
	point, ok2 := unescapeOctal(fields[4])
	if !ok1 || !ok2 || root[0] != '/' || point[0] != '/' {
		return bad()
	}
	return Mount{
		Root:         root,
		MountPoint:   point,
		FSType:       string(fstype),
		SuperOptions: string(superOpts),
	}, true, nil
}

// unescapeOctal undoes the kernel's mangling of mountinfo paths (fs/seq_file.c
// mangle_path): space, tab, newline and backslash appear as \ooo.
func unescapeOctal(b []byte) (string, bool) {
	if bytes.IndexByte(b, '\\') < 0 {
		return string(b), true
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			out = append(out, b[i])
			continue
		}
		if i+3 >= len(b) {
			return "", false
		}
		v := 0
		for _, d := range b[i+1 : i+4] {
			if d < '0' || d > '7' {
				return "", false
			}
			v = v*8 + int(d-'0')
		}
		if v > 0xff {
			return "", false
		}
		out = append(out, byte(v))
		i += 3
	}
	return string(out), true
}
