package oracle

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/moby/sys/mountinfo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/cgroup"
)

// hostMountinfo is /proc/self/mountinfo of the development machine (Linux
// 6.18, hybrid: v1 controllers under a tmpfs at /sys/fs/cgroup, cgroup2 at
// /sys/fs/cgroup/unified, name=systemd named hierarchy), copied verbatim.
const hostMountinfo = `21 26 0:20 / /proc rw,relatime - proc proc rw
22 26 0:21 / /sys rw,relatime - sysfs sysfs rw
23 26 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334416k,nr_inodes=3083604,mode=755
24 23 0:22 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683620k
25 23 0:23 / /dev/pts rw,relatime - devpts devpts rw,mode=600,ptmxmode=000
26 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534
27 26 0:24 / /mnt/sandboxing/model_tools_env/v1/python ro,nosuid,nodev,relatime - tmpfs model_tools_unavailable ro,size=4k,mode=755
28 25 0:25 / /dev/pts rw,relatime - devpts devpts rw,mode=600,ptmxmode=000
29 24 0:26 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683620k
30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
35 30 0:32 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
37 30 0:34 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`

// systemdV2Mountinfo is a systemd host booted in unified mode (Ubuntu 22.04
// shape): every mount carries a "shared:N" optional field.
const systemdV2Mountinfo = `22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
23 28 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:14 - proc proc rw
28 1 253:0 / / rw,relatime shared:1 - ext4 /dev/mapper/vg-root rw
26 22 0:24 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
27 22 0:25 / /sys/fs/pstore rw,nosuid,nodev,noexec,relatime shared:10 - pstore pstore rw
`

// dockerV1Mountinfo is the inside of a Docker container on a v1 host
// (cgroupfs driver): "master:N" optional fields, mount roots /docker/<id>,
// co-mounted cpu,cpuacct and net_cls,net_prio, a named systemd hierarchy
// with xattr.
const dockerV1Mountinfo = `1190 1082 0:214 / / rw,relatime master:583 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/ABC:/var/lib/docker/overlay2/l/DEF,upperdir=/var/lib/docker/overlay2/8f3/diff,workdir=/var/lib/docker/overlay2/8f3/work
1191 1190 0:217 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
1194 1190 0:219 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro
1195 1194 0:220 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,mode=755
1196 1195 0:28 /docker/4a1b2c3d4e5f60718293a4b5c6d7e8f9 /sys/fs/cgroup/systemd ro,nosuid,nodev,noexec,relatime master:11 - cgroup cgroup rw,xattr,name=systemd
1197 1195 0:31 /docker/4a1b2c3d4e5f60718293a4b5c6d7e8f9 /sys/fs/cgroup/cpu,cpuacct ro,nosuid,nodev,noexec,relatime master:17 - cgroup cgroup rw,cpu,cpuacct
1198 1195 0:32 /docker/4a1b2c3d4e5f60718293a4b5c6d7e8f9 /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime master:18 - cgroup cgroup rw,memory
1199 1195 0:33 /docker/4a1b2c3d4e5f60718293a4b5c6d7e8f9 /sys/fs/cgroup/net_cls,net_prio ro,nosuid,nodev,noexec,relatime master:19 - cgroup cgroup rw,net_cls,net_prio
1200 1195 0:34 /docker/4a1b2c3d4e5f60718293a4b5c6d7e8f9 /sys/fs/cgroup/cpuset ro,nosuid,nodev,noexec,relatime master:20 - cgroup cgroup rw,cpuset
1201 1195 0:35 / /sys/fs/cgroup/misc ro,nosuid,nodev,noexec,relatime master:21 - cgroup cgroup rw,misc
1202 1190 0:221 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
`

// propagationMountinfo has several optional fields on one line, in the
// order fs/proc_namespace.c show_mountinfo prints them ("shared:N",
// "master:N", "propagate_from:N") and "unbindable", which excludes "shared".
const propagationMountinfo = `26 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
30 26 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:4 master:2 - tmpfs tmpfs ro,mode=755
31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:5 master:3 propagate_from:1 - cgroup2 cgroup2 rw,nsdelegate
32 30 0:28 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:6 master:4 - cgroup cgroup rw,xattr,name=systemd
33 30 0:29 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime unbindable - cgroup cgroup rw,memory
34 30 0:30 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime master:6 propagate_from:2 - cgroup cgroup rw,cpu,cpuacct
35 30 0:31 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime master:7 propagate_from:2 unbindable - cgroup cgroup rw,pids
`

// escapedMountinfo has root and mount point fields mangled by the kernel
// (fs/seq_file.c mangle_path escapes space, tab, newline and backslash as
// \ooo), including an escape at the very end of a field.
const escapedMountinfo = `26 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw
40 26 0:37 / /mnt/cgroup\040v2 rw,relatime shared:30 - cgroup2 cgroup2 rw
41 26 0:31 /a\040b/c\011d /mnt/mem\134ory rw,relatime - cgroup cgroup rw,memory
42 26 0:38 /job\012x /mnt/new\012line rw - cgroup2 none rw
43 26 0:39 / /mnt/trailing\040 rw master:2 - cgroup cgroup rw,pids
44 26 0:40 / /media/usb\040stick rw - vfat /dev/sdb1 rw
`

// nestedNamespaceMountinfo is Docker-in-Docker with a private cgroup
// namespace: the container's own cgroup2 at /sys/fs/cgroup, and a second
// mount of the same hierarchy whose root lies outside the namespace.
const nestedNamespaceMountinfo = `480 470 0:300 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w
500 480 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
612 480 0:30 /../../.. /tmp/outer-cgroup rw,relatime - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`

// noCgroupMountinfo is a sandbox with /proc and /sys but no cgroup
// filesystem at all.
const noCgroupMountinfo = `1 0 0:50 / / rw - overlay overlay rw
2 1 0:51 / /proc rw,nosuid - proc proc rw
3 1 0:52 / /sys ro,nosuid - sysfs sysfs ro
`

// fixtureTreeFiles returns testdata/<tree>/<pattern> for every fixture tree
// holding such a file, and fails when there is none: the differential test
// must not pass by having nothing to compare.
func fixtureTreeFiles(t *testing.T, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "*", pattern))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no testdata/*/%s found", pattern)
	return files
}

// treeName names a fixture file by its path below testdata.
func treeName(t *testing.T, file string) string {
	t.Helper()
	rel, err := filepath.Rel(filepath.Join("..", "..", "testdata"), file)
	require.NoError(t, err)
	return rel
}

// mobyCgroupMounts parses b with moby/sys/mountinfo, keeping what
// AppendMountInfo keeps: cgroup and cgroup2 mounts. Info.VFSOptions is the
// super options field (11).
func mobyCgroupMounts(b []byte) ([]cgroup.Mount, error) {
	infos, err := mountinfo.GetMountsFromReader(bytes.NewReader(b), mountinfo.FSTypeFilter("cgroup", "cgroup2"))
	if err != nil {
		return nil, err
	}
	out := make([]cgroup.Mount, 0, len(infos))
	for _, in := range infos {
		out = append(out, cgroup.Mount{Root: in.Root, MountPoint: in.Mountpoint, FSType: in.FSType, SuperOptions: in.VFSOptions})
	}
	return out, nil
}

// requireSameMounts asserts that AppendMountInfo and moby agree on b, mount
// for mount in file order, and returns our mounts.
func requireSameMounts(t *testing.T, b []byte) []cgroup.Mount {
	t.Helper()
	ours, err := cgroup.AppendMountInfo(nil, b)
	require.NoError(t, err)
	theirs, err := mobyCgroupMounts(b)
	require.NoError(t, err)
	if len(theirs) == 0 {
		theirs = nil // AppendMountInfo returns nil for no mounts
	}
	require.Equal(t, theirs, ours)
	return ours
}

func TestMountInfoAgreesWithMobyOnFixtureTrees(t *testing.T) {
	for _, file := range fixtureTreeFiles(t, filepath.Join("proc", "*", "mountinfo")) {
		t.Run(treeName(t, file), func(t *testing.T) {
			b, err := os.ReadFile(file)
			require.NoError(t, err)
			requireSameMounts(t, b)
		})
	}
}

func TestMountInfoAgreesWithMobyOnSamples(t *testing.T) {
	tests := []struct {
		name            string
		text            string
		wantMountPoints []string
		wantRoots       []string
	}{
		{
			name: "this host, hybrid",
			text: hostMountinfo,
			wantMountPoints: []string{
				"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup/cpuset", "/sys/fs/cgroup/memory",
				"/sys/fs/cgroup/devices", "/sys/fs/cgroup/freezer", "/sys/fs/cgroup/blkio", "/sys/fs/cgroup/pids",
				"/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified",
			},
			wantRoots: []string{"/", "/", "/", "/", "/", "/", "/", "/", "/", "/"},
		},
		{
			name:            "systemd v2 host, shared:N",
			text:            systemdV2Mountinfo,
			wantMountPoints: []string{"/sys/fs/cgroup"},
			wantRoots:       []string{"/"},
		},
		{
			name: "docker v1 container, master:N",
			text: dockerV1Mountinfo,
			wantMountPoints: []string{
				"/sys/fs/cgroup/systemd", "/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/memory",
				"/sys/fs/cgroup/net_cls,net_prio", "/sys/fs/cgroup/cpuset", "/sys/fs/cgroup/misc",
			},
			wantRoots: []string{
				"/docker/4a1b2c3d4e5f60718293a4b5c6d7e8f9", "/docker/4a1b2c3d4e5f60718293a4b5c6d7e8f9",
				"/docker/4a1b2c3d4e5f60718293a4b5c6d7e8f9", "/docker/4a1b2c3d4e5f60718293a4b5c6d7e8f9",
				"/docker/4a1b2c3d4e5f60718293a4b5c6d7e8f9", "/",
			},
		},
		{
			name: "shared, master, propagate_from and unbindable",
			text: propagationMountinfo,
			wantMountPoints: []string{
				"/sys/fs/cgroup/unified", "/sys/fs/cgroup/systemd", "/sys/fs/cgroup/memory",
				"/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/pids",
			},
			wantRoots: []string{"/", "/", "/", "/", "/"},
		},
		{
			name:            "octal escapes",
			text:            escapedMountinfo,
			wantMountPoints: []string{"/mnt/cgroup v2", `/mnt/mem\ory`, "/mnt/new\nline", "/mnt/trailing "},
			wantRoots:       []string{"/", "/a b/c\td", "/job\nx", "/"},
		},
		{
			name:            "second mount rooted outside the cgroup namespace",
			text:            nestedNamespaceMountinfo,
			wantMountPoints: []string{"/sys/fs/cgroup", "/tmp/outer-cgroup"},
			wantRoots:       []string{"/", "/../../.."},
		},
		{
			name:            "no trailing newline",
			text:            "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
			wantMountPoints: []string{"/sys/fs/cgroup/unified"},
			wantRoots:       []string{"/"},
		},
		{
			name: "no cgroup filesystem",
			text: noCgroupMountinfo,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ours := requireSameMounts(t, []byte(tt.text))
			var points, roots []string
			for _, m := range ours {
				points = append(points, m.MountPoint)
				roots = append(roots, m.Root)
			}
			assert.Equal(t, tt.wantMountPoints, points)
			assert.Equal(t, tt.wantRoots, roots)
		})
	}
}

func TestMountInfoAgreesWithMobyOnLiveHost(t *testing.T) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	require.NoError(t, err)
	requireSameMounts(t, b)
}

// TestMountInfoRejectsWhatMobyRejects covers lines that are not mountinfo:
// both parsers must fail on them.
func TestMountInfoRejectsWhatMobyRejects(t *testing.T) {
	for _, line := range []string{
		"34 30 0:31 / /sys/fs/cgroup/memory rw,relatime cgroup cgroup rw,memory", // no separator
		"34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup",                         // fields after the separator missing
		"34 30 0:31 /",
	} {
		t.Run(line, func(t *testing.T) {
			_, err := cgroup.AppendMountInfo(nil, []byte(line))
			require.ErrorIs(t, err, cgroup.ErrSyntax)
			_, err = mobyCgroupMounts([]byte(line))
			require.Error(t, err)
		})
	}
}

// TestMountInfoDiffersFromMobyByDesign pins the inputs on which the two
// parsers part ways. None of them can come from the kernel, whose
// mangle_path (fs/seq_file.c) writes a backslash only as the start of a
// three-digit octal escape of space, tab, newline or backslash itself, and
// which never writes a blank line. moby is lenient and keeps such text;
// AppendMountInfo is strict about escapes, because a path it cannot decode
// would name the wrong directory, and skips blank lines, which fixture files
// and hand-written inputs may contain.
func TestMountInfoDiffersFromMobyByDesign(t *testing.T) {
	tests := []struct {
		name      string
		text      string
		mobyRoot  string // moby's Root for the only line
		mobyError bool
	}{
		{
			name:     "backslash not followed by three octal digits",
			text:     `40 30 0:37 /a\9b /x rw - cgroup2 cgroup2 rw`,
			mobyRoot: `/a\9b`,
		},
		{
			name:     "escape above \\377",
			text:     `40 30 0:37 /a\400 /x rw - cgroup2 cgroup2 rw`,
			mobyRoot: `/a\400`,
		},
		{
			name:     "truncated escape at the end of a field",
			text:     `40 30 0:37 /a\04 /x rw - cgroup2 cgroup2 rw`,
			mobyRoot: `/a\04`,
		},
		{
			name:      "blank line between lines",
			text:      "40 30 0:37 / /x rw - cgroup2 cgroup2 rw\n\n41 30 0:38 / /y rw - cgroup cgroup rw,memory\n",
			mobyError: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ours, ourErr := cgroup.AppendMountInfo(nil, []byte(tt.text))
			theirs, mobyErr := mobyCgroupMounts([]byte(tt.text))
			if tt.mobyError {
				// moby: "parsing '' failed: not enough fields (1)". We skip the blank line.
				require.Error(t, mobyErr)
				require.NoError(t, ourErr)
				assert.Len(t, ours, 2)
				return
			}
			require.NoError(t, mobyErr)
			require.Len(t, theirs, 1)
			assert.Equal(t, tt.mobyRoot, theirs[0].Root)
			require.ErrorIs(t, ourErr, cgroup.ErrSyntax)
		})
	}
}
