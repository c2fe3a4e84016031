package limits

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLXCFSMeminfo(t *testing.T) {
	for _, tt := range []struct {
		name      string
		mountinfo string
		want      bool
	}{
		{"LXC's bind of lxcfs on /proc/meminfo",
			"35 24 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n" +
				"640 610 0:52 /proc/meminfo /proc/meminfo rw,nosuid,nodev,relatime - fuse.lxcfs lxcfs rw,user_id=0,group_id=0,allow_other\n", true},
		{"last line without a newline",
			"640 610 0:52 /proc/meminfo /proc/meminfo rw - fuse.lxcfs lxcfs rw", true},
		{"lxcfs mounted elsewhere only (the host's /var/lib/lxcfs)",
			"46 27 0:42 / /var/lib/lxcfs rw,nosuid,nodev,relatime - fuse.lxcfs lxcfs rw\n", false},
		{"another fuse file system on /proc/meminfo",
			"640 610 0:52 / /proc/meminfo rw - fuse.sshfs x rw\n", false},
		{"optional fields before the separator",
			"640 610 0:52 /proc/meminfo /proc/meminfo rw shared:7 master:3 - fuse.lxcfs lxcfs rw\n", true},
		{"garbage", "- fuse.lxcfs \n\n - \n", false},
		{"empty", "", false},
	} {
		assert.Equal(t, tt.want, lxcfsMeminfo([]byte(tt.mountinfo)), tt.name)
	}
}

func TestApplyLXCFS(t *testing.T) {
	const gib = 1 << 30
	walk := Limit{State: Limited, Value: 2 * gib, Source: "/", Scope: ScopeVisible}
	lxcfs := func(v uint64) Limit {
		return Limit{State: Limited, Value: v, Source: SourceLXCFS, Scope: ScopeEffective}
	}
	for _, tt := range []struct {
		name               string
		walk               Limit
		memTotal, totalRAM uint64
		want               Limit
	}{
		{"a hidden lower limit wins", walk, 1 * gib, 8 * gib, lxcfs(1 * gib)},
		{"an equal limit: the walk's stands, now effective", walk, 2 * gib, 8 * gib,
			Limit{State: Limited, Value: 2 * gib, Source: "/", Scope: ScopeEffective}},
		{"unlimited as far as visible", Limit{State: Unlimited, Scope: ScopeVisible}, 1 * gib, 8 * gib, lxcfs(1 * gib)},
		{"unknown walk", Limit{}, 1 * gib, 8 * gib, lxcfs(1 * gib)},
		{"LXCFS shows the host's total: no candidate", walk, 8 * gib, 8 * gib, walk},
		{"sysinfo unreadable", walk, 1 * gib, 0, walk},
		{"MemTotal unreadable", walk, 0, 8 * gib, walk},
	} {
		assert.Equal(t, tt.want, applyLXCFS(tt.walk, tt.memTotal, tt.totalRAM), tt.name)
	}
}

// FuzzLXCFSMeminfo compares lxcfsMeminfo with a plain reading of the
// mountinfo format: the fifth field is the mount point, the first field
// after the " - " separator the file system type.
func FuzzLXCFSMeminfo(f *testing.F) {
	f.Add("640 610 0:52 /proc/meminfo /proc/meminfo rw - fuse.lxcfs lxcfs rw\n")
	f.Add("46 27 0:42 / /var/lib/lxcfs rw - fuse.lxcfs lxcfs rw\n35 24 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw")
	f.Add(" - fuse.lxcfs /proc/meminfo ")
	f.Fuzz(func(t *testing.T, mountinfo string) {
		want := false
		for _, line := range strings.Split(mountinfo, "\n") {
			before, after, ok := strings.Cut(line, " - ")
			fields := strings.Split(before, " ")
			if ok && strings.HasPrefix(after, "fuse.lxcfs ") && !strings.Contains(before, " - fuse.lxcfs ") &&
				len(fields) >= 5 && fields[4] == "/proc/meminfo" && !strings.Contains(after, " - fuse.lxcfs ") {
				want = true
			}
		}
		got := lxcfsMeminfo([]byte(mountinfo))
		if want && !got {
			t.Fatalf("lxcfsMeminfo(%q) = false, want true", mountinfo)
		}
	})
}
