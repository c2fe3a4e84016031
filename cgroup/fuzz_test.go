package cgroup

import (
	"errors"
	"strings"
	"testing"

	"github.com/truelimit/truelimit/internal/cgpath"
)

// FuzzAppendMountInfo checks that every mount kept is a cgroup mount with
// absolute root and mount point, and that a failure is ErrSyntax.
func FuzzAppendMountInfo(f *testing.F) {
	for _, s := range []string{
		"34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
		"35 24 0:30 / /sys/fs/cgroup rw,nosuid shared:9 - cgroup2 cgroup2 rw,nsdelegate",
		"1203 1195 0:33 /docker/4a1b /sys/fs/cgroup/cpu,cpuacct ro master:14 - cgroup cgroup rw,cpu,cpuacct",
		`40 30 0:37 /a\040b /mnt/x\134 rw - cgroup2 cgroup2 rw`,
		"100 90 0:30 /../.. /outer rw - cgroup2 cgroup2 rw",
		"26 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		mounts, err := AppendMountInfo(nil, line)
		if err != nil {
			if mounts != nil || !errors.Is(err, ErrSyntax) {
				t.Fatalf("error %v with mounts %v", err, mounts)
			}
			return
		}
		for _, m := range mounts {
			if m.FSType != fsTypeV1 && m.FSType != fsTypeV2 {
				t.Fatalf("kept fstype %q", m.FSType)
			}
			if !strings.HasPrefix(m.Root, "/") || !strings.HasPrefix(m.MountPoint, "/") {
				t.Fatalf("root %q or mount point %q not absolute", m.Root, m.MountPoint)
			}
			if m.IsV2() && len(m.Controllers()) != 0 {
				t.Fatalf("cgroup2 mount with controllers %v", m.Controllers())
			}
		}
	})
}

// FuzzAppendProcCgroup checks that every membership's path is absolute and
// ends its line, and that locating it never leaves its mount.
func FuzzAppendProcCgroup(f *testing.F) {
	for _, s := range []string{
		"4:memory:/process_api/ac04",
		"9:name=systemd:/",
		"3:cpu,cpuacct:/kubepods/burstable/pod1/abc",
		"0::/user.slice/session-2.scope",
		"0::/../..",
		"0::/system.slice/kubepods-pod1.slice:cri-containerd:abc",
	} {
		f.Add([]byte(s))
	}
	mounts := []Mount{
		{Root: "/", MountPoint: "/sys/fs/cgroup", FSType: fsTypeV2, SuperOptions: "rw"},
		{Root: "/docker/x", MountPoint: "/sys/fs/cgroup/memory", FSType: fsTypeV1, SuperOptions: "rw,memory"},
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		members, err := AppendProcCgroup(nil, line)
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("error %v is not ErrSyntax", err)
			}
			return
		}
		var lines []string
		for _, l := range strings.Split(string(line), "\n") {
			if l != "" {
				lines = append(lines, l)
			}
		}
		if len(members) != len(lines) {
			t.Fatalf("%d memberships for %d lines in %q", len(members), len(lines), line)
		}
		for i, m := range members {
			checkMembership(t, m, lines[i], mounts)
		}
	})
}

// checkMembership checks one membership parsed from line.
func checkMembership(t *testing.T, m Membership, line string, mounts []Mount) {
	t.Helper()
	if !strings.HasPrefix(m.Path, "/") {
		t.Fatalf("path %q not absolute", m.Path)
	}
	if !strings.HasSuffix(line, m.Path) {
		t.Fatalf("path %q is not the end of the line %q", m.Path, line)
	}
	for _, c := range []string{"memory", "cpu"} {
		loc, err := Locate(mounts, []Membership{m}, c)
		if err != nil {
			continue
		}
		dir := loc.Dir()
		if !strings.HasPrefix(dir, loc.Mount.MountPoint) || strings.Contains(dir, "/../") || strings.HasSuffix(dir, "/..") {
			t.Fatalf("dir %q escapes mount %q", dir, loc.Mount.MountPoint)
		}
		for l, ok := loc, true; ok; l, ok = l.Parent() {
			if !cgpath.Within(l.Path, l.Mount.Root) {
				t.Fatalf("walk left the mount: %q above %q", l.Path, l.Mount.Root)
			}
		}
	}
}
