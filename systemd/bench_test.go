package systemd

import "testing"

var (
	benchPodSlice  = "kubepods-burstable-pod" + testUIDu + ".slice"
	benchContainer = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + testUIDu + ".slice/cri-containerd-" + testCID + ".scope"
	benchSink      string
	benchInfo      Info
)

func BenchmarkExpandSlice(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		benchSink, _ = ExpandSlice(benchPodSlice)
	}
}

func BenchmarkCgroupsPath(b *testing.B) {
	b.ReportAllocs()
	s := benchPodSlice + ":cri-containerd:" + testCID
	for b.Loop() {
		cp, _ := ParseCgroupsPath(s)
		benchSink, _ = cp.Path()
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		benchInfo = Parse(benchContainer)
	}
}

func BenchmarkEscape(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		benchSink = escape("/dev/disk/by-uuid/b49ead57-907c-446c-b405-5ca6cd865f5e")
	}
}
