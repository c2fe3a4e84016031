package systemd

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testUID  = "1b4e1bb3-4f4c-4a0e-9c1d-3d3a0b9e6f01"
	testUIDu = "1b4e1bb3_4f4c_4a0e_9c1d_3d3a0b9e6f01"
	testCID  = "4a1c0e6f5d2b3a494a1c0e6f5d2b3a494a1c0e6f5d2b3a494a1c0e6f5d2b3a49"
	// testStaticUID is the kind of UID kubelet gives static pods: a hash.
	testStaticUID = "7690535ab745cd438a6b753796ac489f"
)

// kubeletNames pairs a kubeletCgroup with the paths kubelet and its runtime
// write for it under each driver.
var kubeletNames = []struct {
	name     string
	k        kubeletCgroup
	cgroupfs string
	systemd  string
}{
	{
		name:     "burstable pod",
		k:        kubeletCgroup{QoS: QoSBurstable, PodUID: testUID},
		cgroupfs: "/kubepods/burstable/pod" + testUID,
		systemd:  "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + testUIDu + ".slice",
	},
	{
		name:     "guaranteed pod sits directly under kubepods",
		k:        kubeletCgroup{QoS: QoSGuaranteed, PodUID: testUID},
		cgroupfs: "/kubepods/pod" + testUID,
		systemd:  "/kubepods.slice/kubepods-pod" + testUIDu + ".slice",
	},
	{
		name:     "best-effort static pod",
		k:        kubeletCgroup{QoS: QoSBestEffort, PodUID: testStaticUID},
		cgroupfs: "/kubepods/besteffort/pod" + testStaticUID,
		systemd:  "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + testStaticUID + ".slice",
	},
	{
		name:     "containerd container",
		k:        kubeletCgroup{QoS: QoSBurstable, PodUID: testUID, Runtime: RuntimeCRIContainerd, ContainerID: testCID},
		cgroupfs: "/kubepods/burstable/pod" + testUID + "/" + testCID,
		systemd:  "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + testUIDu + ".slice/cri-containerd-" + testCID + ".scope",
	},
	{
		name:     "CRI-O container in a guaranteed pod",
		k:        kubeletCgroup{QoS: QoSGuaranteed, PodUID: testUID, Runtime: RuntimeCRIO, ContainerID: testCID},
		cgroupfs: "/kubepods/pod" + testUID + "/crio-" + testCID,
		systemd:  "/kubepods.slice/kubepods-pod" + testUIDu + ".slice/crio-" + testCID + ".scope",
	},
	{
		name:     "CRI-O conmon",
		k:        kubeletCgroup{QoS: QoSBestEffort, PodUID: testUID, Runtime: RuntimeCRIO, ContainerID: testCID, Conmon: true},
		cgroupfs: "/kubepods/besteffort/pod" + testUID + "/crio-conmon-" + testCID,
		systemd:  "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + testUIDu + ".slice/crio-conmon-" + testCID + ".scope",
	},
	{
		name:     "kind node, --cgroup-root=/kubelet",
		k:        kubeletCgroup{Root: []string{"kubelet"}, QoS: QoSBurstable, PodUID: testUID, Runtime: RuntimeCRIContainerd, ContainerID: testCID},
		cgroupfs: "/kubelet/kubepods/burstable/pod" + testUID + "/" + testCID,
		systemd:  "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/kubelet-kubepods-burstable-pod" + testUIDu + ".slice/cri-containerd-" + testCID + ".scope",
	},
	{
		name:     "root component with a dash is escaped for systemd",
		k:        kubeletCgroup{Root: []string{"k8s-root", "x"}, QoS: QoSGuaranteed, PodUID: testUID},
		cgroupfs: "/k8s-root/x/kubepods/pod" + testUID,
		systemd:  "/k8s_root.slice/k8s_root-x.slice/k8s_root-x-kubepods.slice/k8s_root-x-kubepods-pod" + testUIDu + ".slice",
	},
}

func TestKubeletCgroupPath(t *testing.T) {
	for _, tc := range kubeletNames {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.k.Path(DriverCgroupfs)
			require.NoError(t, err)
			assert.Equal(t, tc.cgroupfs, got)
			got, err = tc.k.Path(DriverSystemd)
			require.NoError(t, err)
			assert.Equal(t, tc.systemd, got)
		})
	}
}

func TestParseKubeletCgroup(t *testing.T) {
	for _, tc := range kubeletNames {
		t.Run(tc.name, func(t *testing.T) {
			k, d, err := parseKubeletCgroup(tc.systemd)
			require.NoError(t, err)
			assert.Equal(t, DriverSystemd, d)
			assert.Equal(t, tc.k, k)

			k, d, err = parseKubeletCgroup(tc.cgroupfs)
			require.NoError(t, err)
			assert.Equal(t, DriverCgroupfs, d)
			want := tc.k
			if want.Runtime == RuntimeCRIContainerd || want.Runtime == RuntimeDocker {
				want.Runtime = RuntimeUnknown // a bare ID does not say its runtime
			}
			assert.Equal(t, want, k)
		})
	}
}

func TestParseKubeletCgroupTolerance(t *testing.T) {
	want := kubeletCgroup{QoS: QoSBurstable, PodUID: testUID, Runtime: RuntimeCRIContainerd, ContainerID: testCID}
	for _, p := range []string{
		"kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + testUIDu + ".slice/cri-containerd-" + testCID + ".scope",
		"//kubepods.slice//kubepods-burstable.slice/kubepods-burstable-pod" + testUIDu + ".slice/cri-containerd-" + testCID + ".scope/",
	} {
		k, d, err := parseKubeletCgroup(p)
		require.NoError(t, err, p)
		assert.Equal(t, DriverSystemd, d)
		assert.Equal(t, want, k)
	}
}

func TestConvertKubeletPath(t *testing.T) {
	for _, tc := range kubeletNames {
		t.Run(tc.name, func(t *testing.T) {
			got, err := convertKubeletPath(tc.systemd, DriverCgroupfs, RuntimeUnknown)
			require.NoError(t, err)
			assert.Equal(t, tc.cgroupfs, got)

			got, err = convertKubeletPath(tc.cgroupfs, DriverSystemd, tc.k.Runtime)
			require.NoError(t, err)
			assert.Equal(t, tc.systemd, got)

			got, err = convertKubeletPath(tc.systemd, DriverSystemd, RuntimeUnknown)
			require.NoError(t, err)
			assert.Equal(t, tc.systemd, got, "converting to the same driver is the identity")
		})
	}
}

func TestConvertKubeletPathRuntime(t *testing.T) {
	bare := "/kubepods/burstable/pod" + testUID + "/" + testCID
	_, err := convertKubeletPath(bare, DriverSystemd, RuntimeUnknown)
	requireSentinel(t, err, "ErrInvalidKubelet")

	got, err := convertKubeletPath(bare, DriverSystemd, RuntimeDocker)
	require.NoError(t, err)
	assert.Equal(t, "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"+testUIDu+".slice/docker-"+testCID+".scope", got)

	// The runtime the path shows wins over the argument.
	got, err = convertKubeletPath("/kubepods/pod"+testUID+"/crio-"+testCID, DriverSystemd, RuntimeDocker)
	require.NoError(t, err)
	assert.Equal(t, "/kubepods.slice/kubepods-pod"+testUIDu+".slice/crio-"+testCID+".scope", got)
}

func TestParseKubeletCgroupRejects(t *testing.T) {
	cases := map[string]string{
		"":                    "empty path",
		"/":                   "empty path",
		"/kubepods.slice":     "no pod<uid> after kubepods",
		"/kubepods":           "no pod<uid> after kubepods",
		"/kubepods/burstable": "no pod<uid> after the QoS class",
		"/kubepods.slice/kubepods-burstable.slice":                     "no pod<uid> after the QoS class",
		"/system.slice/docker-" + testCID + ".scope":                   `no "kubepods" component`,
		"/docker/" + testCID:                                           `no "kubepods" component`,
		"/kubepods/guaranteed/pod" + testUID:                           `unknown QoS class "guaranteed"`,
		"/kubepods/burstable/pod-xyz":                                  `invalid pod component "pod-xyz"`,
		"/kubepods/burstable/pod" + testUID + "/" + testCID + "/extra": `unexpected "` + testCID + `" after the pod component`,
		"/kubepods/burstable/pod" + testUIDu + "/" + testCID:           "not at kubelet's location for this name, want /kubepods/burstable/pod" + testUID + "/" + testCID,
		// A pod slice must sit at its expanded location.
		"/kubepods-burstable-pod" + testUIDu + ".slice":                                           "not at kubelet's location for this name, want /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + testUIDu + ".slice",
		"/system.slice/kubepods-pod" + testUIDu + ".slice/crio-" + testCID + ".scope":             "not at kubelet's location for this name, want /kubepods.slice/kubepods-pod" + testUIDu + ".slice/crio-" + testCID + ".scope",
		"/kubepods.slice/kubepods-pod" + testUIDu + ".slice/foo-" + testCID + ".scope":            `scope "foo-` + testCID + `" has no known runtime prefix`,
		"/cri-containerd-" + testCID + ".scope":                                                   "container scope without a pod slice",
		"/kubepods/pod" + testUID + "/crio-" + testCID + ".scope":                                 "container scope not in a slice",
		"/kubepods.slice/kubepods-pod" + testUIDu + ".slice/kubepods-pod" + testUIDu + "-x.slice": `unexpected "x" after the pod component`,
	}
	for p, reason := range cases {
		_, d, err := parseKubeletCgroup(p)
		ne := requireSentinel(t, err, "ErrInvalidKubelet")
		assert.Equal(t, reason, ne.Reason, p)
		assert.Equal(t, DriverUnknown, d)
	}
}

func TestKubeletCgroupPathRejects(t *testing.T) {
	pod := kubeletCgroup{QoS: QoSBurstable, PodUID: testUID}
	with := func(f func(*kubeletCgroup)) kubeletCgroup {
		k := pod
		f(&k)
		return k
	}
	cases := []struct {
		name   string
		k      kubeletCgroup
		driver Driver
		reason string
	}{
		{"unknown driver", pod, DriverUnknown, `driver must be systemd or cgroupfs, not ""`},
		{"no QoS", with(func(k *kubeletCgroup) { k.QoS = QoSNone }), DriverCgroupfs, `unknown QoS class ""`},
		{"bad QoS", with(func(k *kubeletCgroup) { k.QoS = "gold" }), DriverSystemd, `unknown QoS class "gold"`},
		{"empty UID", with(func(k *kubeletCgroup) { k.PodUID = "" }), DriverCgroupfs, "pod UID must be hex digits and single dashes"},
		{"UID with underscores", with(func(k *kubeletCgroup) { k.PodUID = testUIDu }), DriverCgroupfs, "pod UID must be hex digits and single dashes"},
		{"UID with slash", with(func(k *kubeletCgroup) { k.PodUID = "12/34" }), DriverCgroupfs, "pod UID must be hex digits and single dashes"},
		{"root kubepods", with(func(k *kubeletCgroup) { k.Root = []string{"kubepods"} }), DriverCgroupfs, `invalid root component "kubepods"`},
		{"root dotdot", with(func(k *kubeletCgroup) { k.Root = []string{".."} }), DriverCgroupfs, `invalid root component ".."`},
		{"root underscore", with(func(k *kubeletCgroup) { k.Root = []string{"a_b"} }), DriverSystemd, `invalid root component "a_b"`},
		{"root empty", with(func(k *kubeletCgroup) { k.Root = []string{""} }), DriverSystemd, `invalid root component ""`},
		{"runtime without container", with(func(k *kubeletCgroup) { k.Runtime = RuntimeCRIO }), DriverSystemd, "runtime or conmon given without a container ID"},
		{"container ID with slash", with(func(k *kubeletCgroup) { k.ContainerID = "a/b" }), DriverCgroupfs, "container ID must be letters, digits, '_' and '.', starting with a letter or digit, at most 255 bytes"},
		{"container ID dotdot", with(func(k *kubeletCgroup) { k.ContainerID = ".." }), DriverCgroupfs, "container ID must be letters, digits, '_' and '.', starting with a letter or digit, at most 255 bytes"},
		{"systemd needs runtime", with(func(k *kubeletCgroup) { k.ContainerID = testCID }), DriverSystemd, "the systemd driver and conmon need a known runtime"},
		{"conmon needs runtime", with(func(k *kubeletCgroup) { k.ContainerID = testCID; k.Conmon = true }), DriverCgroupfs, "the systemd driver and conmon need a known runtime"},
		{"containerd has no conmon", with(func(k *kubeletCgroup) {
			k.ContainerID, k.Runtime, k.Conmon = testCID, RuntimeCRIContainerd, true
		}), DriverSystemd, `runtime "cri-containerd" unknown or has no conmon cgroup`},
		{"unknown runtime", with(func(k *kubeletCgroup) { k.ContainerID, k.Runtime = testCID, "rkt" }), DriverCgroupfs, `runtime "rkt" unknown or has no conmon cgroup`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.k.Path(tc.driver)
			ne := requireSentinel(t, err, "ErrInvalidKubelet")
			assert.Equal(t, tc.reason, ne.Reason)
			assert.Empty(t, got)
		})
	}

	long := with(func(k *kubeletCgroup) {
		k.ContainerID, k.Runtime = longID(240), RuntimeCRIContainerd
	})
	_, err := long.Path(DriverSystemd)
	requireSentinel(t, err, "ErrInvalidName")
	got, err := long.Path(DriverCgroupfs)
	require.NoError(t, err, "240 bytes fit in a directory name")
	assert.Contains(t, got, longID(240))
}

func longID(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a'
	}
	return string(b)
}
