package systemd

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestOutsidePodAndKubeletCgroupfsName(t *testing.T) {
	podS := "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + testUIDu + ".slice"
	podC := "/kubepods/burstable/pod" + testUID
	for _, tc := range []struct {
		name     string
		path     string
		outside  bool
		cgroupfs bool
	}{
		{"root", "/", false, false},
		{"a service", "/system.slice/containerd.service", false, false},
		{"systemd pod", podS, false, false},
		{"systemd container in its pod", podS + "/cri-containerd-" + testCID + ".scope", false, false},
		{"CRI container scope under system.slice", "/system.slice/cri-containerd-" + testCID + ".scope", true, false},
		{"CRI-O scope under system.slice", "/system.slice/crio-" + testCID + ".scope", true, false},
		{"literal cgroupsPath under system.slice", "/system.slice/kubepods-burstable-pod" + testUIDu + ".slice:cri-containerd:" + testCID, true, false},
		{"pod slice outside kubepods", "/system.slice/kubepods-burstable-pod" + testUIDu + ".slice", false, false},
		{"docker container, no pod", "/docker/" + testCID, false, false},
		{"cgroupfs kubepods", "/kubepods", false, false},
		{"cgroupfs QoS", "/kubepods/burstable", false, true},
		{"cgroupfs pod", podC, false, true},
		{"cgroupfs container in its pod", podC + "/" + testCID, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.outside, OutsidePod(tc.path), "OutsidePod")
			assert.Equal(t, tc.cgroupfs, Parse(tc.path).KubeletCgroupfsName(), "KubeletCgroupfsName")
		})
	}
}
