package systemd

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParse(t *testing.T) {
	const (
		podSliceB = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + testUIDu + ".slice"
		podDirB   = "/kubepods/burstable/pod" + testUID
	)
	cases := []struct {
		name string
		path string
		want Info
	}{
		{"root", "/", Info{Kind: KindRoot}},
		{"empty", "", Info{Kind: KindRoot}},
		{"system slice", "/system.slice", Info{Driver: DriverSystemd, Kind: KindSlice}},
		{"user slice", "/user.slice/user-1000.slice", Info{Driver: DriverSystemd, Kind: KindSlice}},
		{"user manager service", "/user.slice/user-1000.slice/user@1000.service", Info{Driver: DriverSystemd, Kind: KindService}},
		{"service", "/system.slice/containerd.service", Info{Driver: DriverSystemd, Kind: KindService}},
		{"session", "/user.slice/user-1000.slice/session-3.scope", Info{Driver: DriverSystemd, Kind: KindSession}},
		{"init scope", "/init.scope", Info{Driver: DriverSystemd, Kind: KindScope}},
		{"kubepods slice", "/kubepods.slice", Info{Driver: DriverSystemd, Kind: KindSlice}},
		{"QoS slice", "/kubepods.slice/kubepods-besteffort.slice", Info{Driver: DriverSystemd, Kind: KindSlice, QoS: QoSBestEffort}},
		{"burstable pod slice", podSliceB, Info{Driver: DriverSystemd, Kind: KindPod, QoS: QoSBurstable, PodUID: testUID}},
		{"guaranteed pod slice", "/kubepods.slice/kubepods-pod" + testUIDu + ".slice",
			Info{Driver: DriverSystemd, Kind: KindPod, QoS: QoSGuaranteed, PodUID: testUID}},
		{"static pod slice", "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + testStaticUID + ".slice",
			Info{Driver: DriverSystemd, Kind: KindPod, QoS: QoSBestEffort, PodUID: testStaticUID}},
		{"containerd container", podSliceB + "/cri-containerd-" + testCID + ".scope",
			Info{Driver: DriverSystemd, Kind: KindContainer, QoS: QoSBurstable, PodUID: testUID, Runtime: RuntimeCRIContainerd, ContainerID: testCID}},
		{"crio container", podSliceB + "/crio-" + testCID + ".scope",
			Info{Driver: DriverSystemd, Kind: KindContainer, QoS: QoSBurstable, PodUID: testUID, Runtime: RuntimeCRIO, ContainerID: testCID}},
		{"crio conmon", podSliceB + "/crio-conmon-" + testCID + ".scope",
			Info{Driver: DriverSystemd, Kind: KindContainer, QoS: QoSBurstable, PodUID: testUID, Runtime: RuntimeCRIO, ContainerID: testCID, Conmon: true}},
		{"docker in a pod", podSliceB + "/docker-" + testCID + ".scope",
			Info{Driver: DriverSystemd, Kind: KindContainer, QoS: QoSBurstable, PodUID: testUID, Runtime: RuntimeDocker, ContainerID: testCID}},
		{"unknown runtime scope in a pod", podSliceB + "/kata-" + testCID + ".scope",
			Info{Driver: DriverSystemd, Kind: KindContainer, QoS: QoSBurstable, PodUID: testUID, ContainerID: "kata-" + testCID}},
		{"below a container", podSliceB + "/cri-containerd-" + testCID + ".scope/init",
			Info{Driver: DriverSystemd, Kind: KindContainer, QoS: QoSBurstable, PodUID: testUID, Runtime: RuntimeCRIContainerd, ContainerID: testCID}},
		{"plain docker", "/system.slice/docker-" + testCID + ".scope",
			Info{Driver: DriverSystemd, Kind: KindContainer, Runtime: RuntimeDocker, ContainerID: testCID}},
		{"podman", "/machine.slice/libpod-" + testCID + ".scope",
			Info{Driver: DriverSystemd, Kind: KindContainer, Runtime: RuntimeLibpod, ContainerID: testCID}},
		{"podman conmon", "/machine.slice/libpod-conmon-" + testCID + ".scope",
			Info{Driver: DriverSystemd, Kind: KindContainer, Runtime: RuntimeLibpod, ContainerID: testCID, Conmon: true}},
		{"rootless podman", "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + testCID + ".scope/container",
			Info{Driver: DriverSystemd, Kind: KindContainer, Runtime: RuntimeLibpod, ContainerID: testCID}},
		{"kind node pod", "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/kubelet-kubepods-burstable-pod" + testUIDu + ".slice/cri-containerd-" + testCID + ".scope",
			Info{Driver: DriverSystemd, Kind: KindContainer, QoS: QoSBurstable, PodUID: testUID, Runtime: RuntimeCRIContainerd, ContainerID: testCID}},
		{"kind node seen from the host", "/system.slice/docker-" + testStaticUID + ".scope/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod" + testUIDu + ".slice",
			Info{Driver: DriverSystemd, Kind: KindPod, QoS: QoSGuaranteed, PodUID: testUID}},
		{"literal systemd cgroupsPath directory", "/system.slice/kubepods-burstable-pod" + testUIDu + ".slice:cri-containerd:" + testCID,
			Info{Driver: DriverCgroupfs, Kind: KindContainer, QoS: QoSBurstable, PodUID: testUID, Runtime: RuntimeCRIContainerd, ContainerID: testCID, Literal: true}},
		{"literal with crio prefix", "/kubepods-pod" + testUIDu + ".slice:crio:" + testCID,
			Info{Driver: DriverCgroupfs, Kind: KindContainer, QoS: QoSGuaranteed, PodUID: testUID, Runtime: RuntimeCRIO, ContainerID: testCID, Literal: true}},
		{"literal with empty slice", "/system.slice/:runsc:" + testCID,
			Info{Driver: DriverCgroupfs, Kind: KindContainer, ContainerID: testCID, Literal: true}},
		{"literal naming a slice", "/system.slice/kubepods.slice::kubepods-besteffort.slice",
			Info{Driver: DriverCgroupfs, Kind: KindSlice, Literal: true}},
		{"cgroupfs kubepods", "/kubepods", Info{Driver: DriverCgroupfs, Kind: KindSlice}},
		{"cgroupfs QoS", "/kubepods/burstable", Info{Driver: DriverCgroupfs, Kind: KindSlice, QoS: QoSBurstable}},
		{"cgroupfs burstable pod", podDirB, Info{Driver: DriverCgroupfs, Kind: KindPod, QoS: QoSBurstable, PodUID: testUID}},
		{"cgroupfs guaranteed pod", "/kubepods/pod" + testUID, Info{Driver: DriverCgroupfs, Kind: KindPod, QoS: QoSGuaranteed, PodUID: testUID}},
		{"cgroupfs container", podDirB + "/" + testCID,
			Info{Driver: DriverCgroupfs, Kind: KindContainer, QoS: QoSBurstable, PodUID: testUID, ContainerID: testCID}},
		{"cgroupfs crio container", "/kubepods/besteffort/pod" + testUID + "/crio-" + testCID,
			Info{Driver: DriverCgroupfs, Kind: KindContainer, QoS: QoSBestEffort, PodUID: testUID, Runtime: RuntimeCRIO, ContainerID: testCID}},
		{"cgroupfs crio conmon", "/kubepods/besteffort/pod" + testUID + "/crio-conmon-" + testCID,
			Info{Driver: DriverCgroupfs, Kind: KindContainer, QoS: QoSBestEffort, PodUID: testUID, Runtime: RuntimeCRIO, ContainerID: testCID, Conmon: true}},
		{"cgroupfs pod with underscores", "/kubepods/pod" + testUIDu, Info{Driver: DriverCgroupfs, Kind: KindPod, QoS: QoSGuaranteed, PodUID: testUID}},
		{"kind cgroupfs root", "/kubelet/kubepods/burstable/pod" + testUID + "/" + testCID,
			Info{Driver: DriverCgroupfs, Kind: KindContainer, QoS: QoSBurstable, PodUID: testUID, ContainerID: testCID}},
		{"kubepods inside a docker container", "/docker/" + testCID + "/kubepods/pod" + testUID,
			Info{Driver: DriverCgroupfs, Kind: KindPod, QoS: QoSGuaranteed, PodUID: testUID}},
		{"cgroupfs on a systemd host", "/kubepods/burstable/pod" + testUID + "/" + testCID,
			Info{Driver: DriverCgroupfs, Kind: KindContainer, QoS: QoSBurstable, PodUID: testUID, ContainerID: testCID}},
		{"docker cgroupfs", "/docker/" + testCID, Info{Driver: DriverCgroupfs, Kind: KindContainer, Runtime: RuntimeDocker, ContainerID: testCID}},
		{"docker in docker", "/docker/" + testCID + "/docker/" + testStaticUID + testStaticUID,
			Info{Driver: DriverCgroupfs, Kind: KindContainer, Runtime: RuntimeDocker, ContainerID: testStaticUID + testStaticUID}},
		{"docker parent only", "/docker", Info{}},
		{"docker short id is not a container", "/docker/abc", Info{}},
		{"containerd namespace", "/k8s.io/" + testCID, Info{Driver: DriverCgroupfs, Kind: KindContainer, Runtime: RuntimeCRIContainerd, ContainerID: testCID}},
		{"podman cgroupfs", "/libpod_parent/libpod-" + testCID, Info{Driver: DriverCgroupfs, Kind: KindContainer, Runtime: RuntimeLibpod, ContainerID: testCID}},
		{"unknown", "/foo/bar", Info{}},
		{"unknown below a slice", "/system.slice/foo", Info{Driver: DriverSystemd}},
		{"not a pod: bad uid", "/kubepods/podxyz", Info{Driver: DriverCgroupfs}},
		{"pods word", "/kubepods.slice/kubepods-pods.slice", Info{Driver: DriverSystemd, Kind: KindSlice}},
		{"repeated and trailing slashes", "//kubepods.slice///kubepods-pod" + testUIDu + ".slice/",
			Info{Driver: DriverSystemd, Kind: KindPod, QoS: QoSGuaranteed, PodUID: testUID}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Parse(tc.path), tc.path)
		})
	}
}

// TestParseAgreesWithKubeletNames checks Parse against every path the kubelet
// name builder writes.
func TestParseAgreesWithKubeletNames(t *testing.T) {
	for _, tc := range kubeletNames {
		for _, d := range []Driver{DriverSystemd, DriverCgroupfs} {
			p, err := tc.k.Path(d)
			if err != nil {
				t.Fatal(err)
			}
			got := Parse(p)
			assert.Equal(t, d, got.Driver, p)
			assert.Equal(t, tc.k.QoS, got.QoS, p)
			assert.Equal(t, tc.k.PodUID, got.PodUID, p)
			assert.Equal(t, tc.k.ContainerID, got.ContainerID, p)
			assert.Equal(t, tc.k.Conmon, got.Conmon, p)
			if tc.k.ContainerID == "" {
				assert.Equal(t, KindPod, got.Kind, p)
			} else {
				assert.Equal(t, KindContainer, got.Kind, p)
			}
		}
	}
}
