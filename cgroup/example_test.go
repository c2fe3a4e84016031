package cgroup_test

import (
	"errors"
	"fmt"

	"github.com/truelimit/truelimit/cgroup"
)

// hybridMountinfo is the cgroup part of /proc/self/mountinfo on a hybrid
// host (v1 controllers, a named systemd hierarchy and cgroup2), plus the root
// filesystem.
const hybridMountinfo = `24 1 254:0 / / rw,relatime - ext4 /dev/vda rw
31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 - cgroup cgroup rw,cpu,cpuacct
34 30 0:31 / /sys/fs/cgroup/memory rw,nosuid shared:12 - cgroup cgroup rw,memory
39 30 0:36 / /sys/fs/cgroup/systemd rw,nosuid shared:17 - cgroup cgroup rw,xattr,name=systemd
40 30 0:37 / /sys/fs/cgroup/unified rw,nosuid shared:18 - cgroup2 cgroup2 rw,nsdelegate
`

// hybridProcCgroup is /proc/self/cgroup of a process in a Docker container's
// cgroups on that host.
const hybridProcCgroup = `5:memory:/docker/4a1b
4:cpu,cpuacct:/docker/4a1b
1:name=systemd:/docker/4a1b
0::/system.slice/docker-4a1b.scope
`

func ExampleAppendMountInfo() {
	mounts, err := cgroup.AppendMountInfo(nil, []byte(hybridMountinfo))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range mounts {
		fmt.Printf("%s %s v2=%v controllers=%v name=%q\n", m.MountPoint, m.FSType, m.IsV2(), m.Controllers(), m.Name())
	}
	fmt.Println(mounts[0].HasController("cpuacct"), mounts[0].Usable())

	// Parsing again into the same slice does not allocate it anew.
	mounts, _ = cgroup.AppendMountInfo(mounts[:0], []byte(hybridMountinfo))
	fmt.Println(len(mounts))

	_, err = cgroup.AppendMountInfo(nil, []byte("not mountinfo\n"))
	fmt.Println(err)
	// Output:
	// /sys/fs/cgroup/cpu,cpuacct cgroup v2=false controllers=[cpu cpuacct] name=""
	// /sys/fs/cgroup/memory cgroup v2=false controllers=[memory] name=""
	// /sys/fs/cgroup/systemd cgroup v2=false controllers=[] name="systemd"
	// /sys/fs/cgroup/unified cgroup2 v2=true controllers=[] name=""
	// true true
	// 4
	// cgroup: parsing mountinfo line "not mountinfo": invalid syntax
}

func ExampleAppendProcCgroup() {
	members, err := cgroup.AppendProcCgroup(nil, []byte(hybridProcCgroup))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range members {
		fmt.Printf("%d %q %s v2=%v memory=%v\n", m.HierarchyID, m.Controllers, m.Path, m.IsV2(), m.HasController("memory"))
	}

	_, err = cgroup.AppendProcCgroup(nil, []byte("4:memory\n"))
	fmt.Println(err)
	// Output:
	// 5 "memory" /docker/4a1b v2=false memory=true
	// 4 "cpu,cpuacct" /docker/4a1b v2=false memory=false
	// 1 "name=systemd" /docker/4a1b v2=false memory=false
	// 0 "" /system.slice/docker-4a1b.scope v2=true memory=false
	// cgroup: parsing /proc/<pid>/cgroup line "4:memory": invalid syntax
}

func ExampleModeOf() {
	for _, mountinfo := range []string{
		hybridMountinfo,
		"40 30 0:37 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
		"39 30 0:36 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n",
		"",
	} {
		mounts, _ := cgroup.AppendMountInfo(nil, []byte(mountinfo))
		fmt.Println(cgroup.ModeOf(mounts))
	}
	// Output:
	// hybrid
	// v2
	// none
	// none
}

func ExampleLocate() {
	mounts, _ := cgroup.AppendMountInfo(nil, []byte(hybridMountinfo))
	members, _ := cgroup.AppendProcCgroup(nil, []byte(hybridProcCgroup))
	for _, controller := range []string{"memory", "pids"} {
		loc, err := cgroup.Locate(mounts, members, controller)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(controller, loc.Version, loc.Dir(), loc.Rel())
		// The walk: the cgroup, then each parent up to the top visible one.
		for l, ok := loc, true; ok; l, ok = l.Parent() {
			fmt.Println("  ", l.Path, l.IsTop())
		}
	}

	_, err := cgroup.Locate(nil, members, "memory")
	fmt.Println(errors.Is(err, cgroup.ErrNotMounted))
	// Output:
	// memory v1 /sys/fs/cgroup/memory/docker/4a1b /docker/4a1b
	//    /docker/4a1b false
	//    /docker false
	//    / true
	// pids v2 /sys/fs/cgroup/unified/system.slice/docker-4a1b.scope /system.slice/docker-4a1b.scope
	//    /system.slice/docker-4a1b.scope false
	//    /system.slice false
	//    / true
	// true
}

func ExampleLocatePath() {
	// Inside a container whose cgroup2 mount is rooted at its own cgroup.
	mounts, _ := cgroup.AppendMountInfo(nil, []byte(
		"1203 1195 0:33 /kubepods.slice/pod1.slice /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n"))
	loc, err := cgroup.LocatePath(mounts, "memory", "/kubepods.slice/pod1.slice/c.scope")
	fmt.Println(loc.Dir(), err)

	_, err = cgroup.LocatePath(mounts, "memory", "/system.slice")
	var unreachable *cgroup.UnreachableError
	if errors.As(err, &unreachable) {
		fmt.Println(unreachable.Version, unreachable.Reason)
	}
	fmt.Println(err)
	// Output:
	// /sys/fs/cgroup/c.scope <nil>
	// v2 no mount visible here contains it
	// cgroup: cgroup2 cgroup "/system.slice" unreachable: no mount visible here contains it
}

// LocateTop finds where a scan of every cgroup starts: the top of the
// hierarchy's widest mount.
func ExampleLocateTop() {
	mounts, _ := cgroup.AppendMountInfo(nil, []byte(
		"30 24 0:27 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n"+
			"1203 1195 0:27 /kubepods.slice /mnt/pods ro - cgroup2 cgroup2 rw\n"))
	loc, err := cgroup.LocateTop(mounts, "cpu")
	fmt.Println(loc.Path, loc.Dir(), loc.Version, err)
	// Output:
	// / /sys/fs/cgroup v2 <nil>
}

func ExampleParseCPUList() {
	set, err := cgroup.ParseCPUList([]byte("0-3,8,10-11\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(set, set.Count(), set.Contains(8), set.Contains(9), set.IsEmpty())
	same, _ := cgroup.ParseCPUList([]byte("11,10,8,0-3"))
	fmt.Println(set.Equal(same))

	_, err = cgroup.ParseCPUList([]byte("3-1\n"))
	fmt.Println(err)
	// Output:
	// 0-3,8,10-11 7 true false false
	// true
	// cgroup: parsing cpu list "3-1": value out of range
}

func ExampleCountCPUList() {
	// /sys/devices/system/cpu/online
	n, err := cgroup.CountCPUList([]byte("0-63,128-191\n"))
	fmt.Println(n, err)
	_, err = cgroup.CountCPUList([]byte("4,0-3\n"))
	fmt.Println(err)
	// Output:
	// 128 <nil>
	// cgroup: parsing cpu list "4,0-3": value out of range
}

func ExampleParseError() {
	_, err := cgroup.ParseCPUList([]byte("0-3,x\n"))
	var pe *cgroup.ParseError
	if errors.As(err, &pe) {
		fmt.Printf("%s %q %v\n", pe.What, pe.Input, errors.Is(err, cgroup.ErrSyntax))
	}
	_, err = cgroup.ParseCPUList([]byte("70000\n"))
	fmt.Println(errors.Is(err, cgroup.ErrRange))
	// Output:
	// cpu list "0-3,x" true
	// true
}
