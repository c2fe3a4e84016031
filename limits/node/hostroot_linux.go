//go:build linux

package node

import (
	"errors"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/readfile"
	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/internal/under"
)

// errHostLayout rejects a host whose /sys/fs/cgroup is one v1 hierarchy.
var errHostLayout = errors.New("one v1 hierarchy is mounted on it, whose controllers its name cannot tell")

// hostCgroupDir is where a host mounts its cgroup hierarchies.
const hostCgroupDir = "/sys/fs/cgroup"

// hostMounts finds the host's cgroup hierarchies under R/sys/fs/cgroup by
// their filesystem type (statfs(2) f_type), for WithHostRoot: a cgroup2
// filesystem there is the unified hierarchy (v2); otherwise each
// subdirectory (not a symlink) that is a cgroup filesystem is one v1
// hierarchy, named as systemd, docker and kubelet hosts name them after
// their controllers ("memory", "cpu,cpuacct"; "systemd" is name=systemd),
// and one that is cgroup2 the unified hierarchy of a hybrid host. Every
// hierarchy is mounted from its root cgroup, "/". No mountinfo is read: the
// reader's own describes its mounts, in its cgroup namespace.
func hostMounts(rd *readfile.Root, root string) ([]cgroup.Mount, error) {
	base := under.Prefix(root) + hostCgroupDir
	d, err := openDir(rd, base)
	if err != nil {
		return nil, &limits.Error{Path: base, Err: err}
	}
	defer d.close()
	switch fsType(d.fd) {
	case unix.CGROUP2_SUPER_MAGIC:
		return []cgroup.Mount{{Root: "/", MountPoint: hostCgroupDir, FSType: "cgroup2", SuperOptions: "rw"}}, nil
	case unix.CGROUP_SUPER_MAGIC:
		// One v1 hierarchy mounted on the directory itself: its controllers
		// have no name to be read from.
		return nil, &limits.Error{Path: base, Err: errHostLayout}
	}
	var ents [16 << 10]byte
	names, spans, err := d.subdirs(ents[:], nil, nil, -1)
	if err != nil {
		return nil, &limits.Error{Path: base, Err: err}
	}
	var mounts []cgroup.Mount
	for _, sp := range spans {
		name := names[sp.start:sp.end]
		child, err := d.child(name)
		if err != nil {
			continue
		}
		m := cgroup.Mount{Root: "/", MountPoint: hostCgroupDir + "/" + string(name)}
		switch fsType(child.fd) {
		case unix.CGROUP2_SUPER_MAGIC:
			m.FSType, m.SuperOptions = "cgroup2", "rw"
		case unix.CGROUP_SUPER_MAGIC:
			m.FSType, m.SuperOptions = "cgroup", "rw,"+v1Options(string(name))
		default:
			child.close()
			continue
		}
		child.close()
		mounts = append(mounts, m)
	}
	return mounts, nil
}

// v1Options are the super options of the v1 hierarchy whose directory is
// name: its controllers, or the named hierarchy name=systemd.
func v1Options(name string) string {
	if name == "systemd" || strings.HasPrefix(name, "name=") {
		return "name=" + strings.TrimPrefix(name, "name=")
	}
	return name
}

// fsType is the statfs(2) f_type of the open file fd, 0 if it cannot be told.
func fsType(fd int) int64 {
	var st unix.Statfs_t
	for {
		err := unix.Fstatfs(fd, &st)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0
		}
		return int64(st.Type)
	}
}
