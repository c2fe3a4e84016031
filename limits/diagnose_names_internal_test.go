package limits

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/truelimit/truelimit/systemd"
)

// TestOutsidePodAgreesWithSystemd keeps container-outside-pod's rule here
// (belongsToPod, underPod) in step with systemd.OutsidePod, which the
// exporter applies to every cgroup of a node. The rule is in both places
// because the blank import's size moves with any change to this file
// (scripts/importcost.sh: the debug line tables list the files that
// package limits inlines from, in the order it first meets them).
func TestOutsidePodAgreesWithSystemd(t *testing.T) {
	const uid, uidu = "1b4e1bb3-4f4c-4a0e-9c1d-3d3a0b9e6f01", "1b4e1bb3_4f4c_4a0e_9c1d_3d3a0b9e6f01"
	cid := strings.Repeat("4a1c0e6f5d2b3a49", 4)
	pod := "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uidu + ".slice"
	for _, path := range []string{
		"/", "/system.slice/containerd.service", pod, pod + "/cri-containerd-" + cid + ".scope",
		"/system.slice/cri-containerd-" + cid + ".scope", "/system.slice/crio-" + cid + ".scope",
		"/system.slice/kubepods-burstable-pod" + uidu + ".slice:cri-containerd:" + cid,
		"/system.slice/kubepods-burstable-pod" + uidu + ".slice", "/docker/" + cid,
		"/kubepods", "/kubepods/burstable", "/kubepods/burstable/pod" + uid, "/kubepods/burstable/pod" + uid + "/" + cid,
		"/user.slice/user-1000.slice/user@1000.service/app.slice/k8s.io/" + cid,
	} {
		info := systemd.Parse(path)
		assert.Equal(t, belongsToPod(info) && !underPod(path), systemd.OutsidePod(path), path)
		assert.Equal(t, info.Driver == systemd.DriverCgroupfs && !info.Literal && (info.PodUID != "" || info.QoS != "" || info.Kind == systemd.KindPod),
			info.KubeletCgroupfsName(), path)
	}
}
