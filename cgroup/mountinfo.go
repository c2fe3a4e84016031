package cgroup

import (
	"strings"
	"unsafe"

	"github.com/truelimit/truelimit/internal/parse"
)

// Filesystem types of cgroup mounts, as mountinfo's fstype field names them.
const (
	fsTypeV1 = "cgroup"
	fsTypeV2 = "cgroup2"
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
	// FSType is "cgroup" for a v1 hierarchy, "cgroup2" for the unified one.
	FSType string
	// SuperOptions is the last field: for a v1 hierarchy it names the
	// controllers bound to it ("rw,cpu,cpuacct") and a named hierarchy
	// ("rw,name=systemd").
	SuperOptions string
}

// IsV2 reports whether m is the unified (cgroup2) hierarchy.
func (m Mount) IsV2() bool { return m.FSType == fsTypeV2 }

// Usable reports whether the mounted cgroup lies inside the reader's cgroup
// namespace. The kernel shows a root starting with "/.." for a mount made in
// another namespace; paths under it cannot be related to /proc/<pid>/cgroup.
func (m Mount) Usable() bool { return !outsideNamespace(m.Root) }

// HasController reports whether the v1 hierarchy mounted here has the
// controller bound to it. Named hierarchies ("name=systemd") and mount options
// ("rw", "xattr", "noprefix", ...) are not controllers. A cgroup2 mount has no
// controllers in its options: they are listed in cgroup.controllers instead.
func (m Mount) HasController(controller string) bool {
	if m.IsV2() || !isV1Controller(controller) {
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
		if isV1Controller(opt) {
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
		if isV1Controller(opt) {
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

// isV1Controller reports whether name is a controller the kernel can bind to
// a v1 hierarchy.
func isV1Controller(name string) bool {
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

// AppendMountInfo appends the cgroup and cgroup2 mounts of a mountinfo file
// (/proc/<pid>/mountinfo, Documentation/filesystems/proc.rst, "3.5
// /proc/<pid>/mountinfo") to dst, in file order, and returns the extended
// slice. A caller that parses again and again passes the previous result
// sliced to [:0], so the slice is reused; the first call passes nil. A line
// reads
//
//	36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//
// Every line is checked for the fields the kernel always writes (mountinfo
// comes from the kernel, so a malformed line means the input is not a
// mountinfo file: a *ParseError quoting it, wrapping ErrSyntax); blank lines
// and lines of other filesystems are skipped. Only cgroup lines are converted
// to strings, all into one allocation, so the result does not keep a busy
// node's long mountinfo alive. Root and mount point have their octal escapes
// ("\040" for a space) undone.
func AppendMountInfo(dst []Mount, b []byte) ([]Mount, error) {
	count, size := 0, 0
	for rest := b; len(rest) > 0; {
		var line []byte
		line, rest = parse.NextLine(rest)
		if len(line) == 0 {
			continue
		}
		f, ok := splitMountLine(view(line))
		if !ok {
			return nil, parse.NewError(mountInfoLine, line, ErrSyntax)
		}
		if isCgroupFS(f.fstype) {
			count++
			size += len(line) + 1
		}
	}
	if count == 0 {
		return dst, nil
	}
	// The cgroup lines, in one allocation that the Mounts' strings share,
	// never written again once copied (strings.Builder's way, without
	// linking it).
	lines := make([]byte, 0, size)
	for rest := b; len(rest) > 0; {
		var line []byte
		line, rest = parse.NextLine(rest)
		if f, ok := splitMountLine(view(line)); ok && isCgroupFS(f.fstype) {
			lines = append(append(lines, line...), '\n')
		}
	}
	mounts := dst
	if mounts == nil {
		mounts = make([]Mount, 0, count)
	}
	for text := view(lines); text != ""; {
		var line string
		line, text, _ = strings.Cut(text, "\n")
		m, err := mountFromFields(splitMountLine(line))
		if err != nil {
			return nil, parse.NewError(mountInfoLine, []byte(line), ErrSyntax)
		}
		mounts = append(mounts, m)
	}
	return mounts, nil
}

// mountInfoLine names a mountinfo line in errors.
const mountInfoLine = "mountinfo line"

// view is line as a string without a copy, for the passes that only look
// at a line's fields while b is not modified (unsafe.String's contract):
// one string version of the field splitting then serves every pass, which
// keeps what the setters link small. The copy of the cgroup lines, never
// modified, is viewed the same way, for the Mounts' strings to keep.
func view(line []byte) string { return unsafe.String(unsafe.SliceData(line), len(line)) }

// mountFields are the fields of a mountinfo line that matter here.
type mountFields struct {
	root, mountPoint, fstype, superOptions string
}

func isCgroupFS(fstype string) bool {
	return fstype == fsTypeV1 || fstype == fsTypeV2
}

// splitMountLine finds the fields of a mountinfo line without allocating:
// six fields, optional fields, a lone "-", then fstype, source and super
// options. ok is false when a field the kernel always writes is missing.
func splitMountLine(line string) (f mountFields, ok bool) {
	sep := -1
	for i := 0; i+2 < len(line); i++ {
		if line[i] == ' ' && line[i+1] == '-' && line[i+2] == ' ' {
			sep = i
			break
		}
	}
	if sep < 0 {
		return f, false
	}
	head, tail := line[:sep], line[sep+3:]
	for i := range 6 {
		field, rest, _ := cutByte(head, ' ')
		if len(field) == 0 {
			return f, false
		}
		switch i {
		case 3:
			f.root = field
		case 4:
			f.mountPoint = field
		}
		head = rest
	}
	fstype, rest, found := cutByte(tail, ' ')
	if !found || len(fstype) == 0 {
		return f, false
	}
	_, superOptions, found := cutByte(rest, ' ')
	if !found {
		return f, false
	}
	f.fstype, f.superOptions = fstype, superOptions
	return f, true
}

// cutByte is strings.Cut on one byte.
func cutByte(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, s[len(s):], false
}

// mountFromFields makes a Mount of a cgroup line's fields, undoing the octal
// escapes of root and mount point.
func mountFromFields(f mountFields, ok bool) (Mount, error) {
	if !ok {
		return Mount{}, ErrSyntax
	}
	root, ok1 := unescapeOctal(f.root)
	point, ok2 := unescapeOctal(f.mountPoint)
	if !ok1 || !ok2 || root[0] != '/' || point[0] != '/' {
		return Mount{}, ErrSyntax
	}
	return Mount{Root: root, MountPoint: point, FSType: f.fstype, SuperOptions: f.superOptions}, nil
}

// unescapeOctal undoes the kernel's mangling of mountinfo paths (fs/seq_file.c
// mangle_path): space, tab, newline and backslash appear as \ooo.
func unescapeOctal(b string) (string, bool) {
	if strings.IndexByte(b, '\\') < 0 {
		return b, true
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
