package systemd_test

import (
	"errors"
	"fmt"

	"github.com/truelimit/truelimit/systemd"
)

func ExampleParse() {
	for _, path := range []string{
		"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod6a8b2c3d_1e4f_4a5b_8c9d_0e1f2a3b4c5d.slice/cri-containerd-4a1b2c.scope",
		"/kubepods/besteffort/pod6a8b2c3d-1e4f-4a5b-8c9d-0e1f2a3b4c5d/crio-4a1b2c",
		"/system.slice/kubepods-pod1234.slice:cri-containerd:4a1b2c",
		"/user.slice/user-1000.slice/session-2.scope",
		"/",
	} {
		info := systemd.Parse(path)
		fmt.Printf("driver=%q kind=%q qos=%q pod=%q container=%q runtime=%q literal=%v\n",
			info.Driver, info.Kind, info.QoS, info.PodUID, info.ContainerID, info.Runtime, info.Literal)
	}
	// Output:
	// driver="systemd" kind="container" qos="burstable" pod="6a8b2c3d-1e4f-4a5b-8c9d-0e1f2a3b4c5d" container="4a1b2c" runtime="cri-containerd" literal=false
	// driver="cgroupfs" kind="container" qos="besteffort" pod="6a8b2c3d-1e4f-4a5b-8c9d-0e1f2a3b4c5d" container="4a1b2c" runtime="crio" literal=false
	// driver="cgroupfs" kind="container" qos="guaranteed" pod="1234" container="4a1b2c" runtime="cri-containerd" literal=true
	// driver="systemd" kind="session" qos="" pod="" container="" runtime="" literal=false
	// driver="" kind="root" qos="" pod="" container="" runtime="" literal=false
}

func ExampleExpandSlice() {
	for _, slice := range []string{"kubepods-burstable-pod1234.slice", "system.slice", "-.slice", "kubepods--x.slice"} {
		path, err := systemd.ExpandSlice(slice)
		fmt.Printf("%q %v %v\n", path, err, errors.Is(err, systemd.ErrInvalidSlice))
	}
	// Output:
	// "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice" <nil> false
	// "/system.slice" <nil> false
	// "/" <nil> false
	// "" systemd: invalid slice name "kubepods--x.slice": double dash true
}

func ExampleParseCgroupsPath() {
	for _, s := range []string{"kubepods-burstable-pod1234.slice:cri-containerd:4a1b2c", ":docker:4a1b2c"} {
		cp, err := systemd.ParseCgroupsPath(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		path, err := cp.Path()
		fmt.Println(cp, cp.ParentSlice(), cp.UnitName(), path, err)
	}
	_, err := systemd.ParseCgroupsPath("/kubepods/pod1234/4a1b2c")
	fmt.Println(errors.Is(err, systemd.ErrInvalidCgroupsPath), err)
	// Output:
	// kubepods-burstable-pod1234.slice:cri-containerd:4a1b2c kubepods-burstable-pod1234.slice cri-containerd-4a1b2c.scope /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice/cri-containerd-4a1b2c.scope <nil>
	// :docker:4a1b2c system.slice docker-4a1b2c.scope /system.slice/docker-4a1b2c.scope <nil>
	// true systemd: invalid systemd cgroupsPath, want "slice:prefix:name" "/kubepods/pod1234/4a1b2c": no ':'
}

func ExampleIsSystemdCgroupsPath() {
	for _, s := range []string{
		"kubepods-burstable-pod1234.slice:cri-containerd:4a1b2c",
		":docker:4a1b2c",
		"/kubepods/burstable/pod1234/4a1b2c",
		"/system.slice/kubepods-pod1234.slice:crio:4a1b2c",
	} {
		fmt.Println(systemd.IsSystemdCgroupsPath(s))
	}
	// Output:
	// true
	// true
	// false
	// false
}

func ExampleNameError() {
	cp, _ := systemd.ParseCgroupsPath("system.slice:docker:../../etc")
	_, err := cp.Path()
	var ne *systemd.NameError
	if errors.As(err, &ne) {
		fmt.Printf("%q %s %v\n", ne.Name, ne.Reason, errors.Is(err, systemd.ErrInvalidName))
	}
	// Output:
	// "docker-../../etc.scope" invalid character '/' at byte 9 true
}

func ExampleOutsidePod() {
	for _, path := range []string{
		"/kubepods.slice/kubepods-pod6a8b2c3d_1e4f_4a5b_8c9d_0e1f2a3b4c5d.slice/cri-containerd-4a1b2c.scope",
		"/system.slice/cri-containerd-4a1b2c.scope",
	} {
		fmt.Println(systemd.OutsidePod(path))
	}
	// Output:
	// false
	// true
}
