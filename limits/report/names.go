package report

import (
	"strings"

	"github.com/truelimit/truelimit/systemd"
)

// LevelName returns a short name for the cgroup at path, as the summary
// prints it beside a limit: what systemd.Parse reads from the names kubelet,
// systemd and the container runtimes give to cgroups ("pod 2d7d6742
// (burstable)", "container d8e642ac (containerd)", "slice user-1000",
// "service nginx", "root"), or else the last component of the path. Hashes
// are cut to their first 8 digits. A source that is not a cgroup path
// ("hierarchical_memory_limit", "lxcfs:/proc/meminfo") is returned as it is.
// It is safe for concurrent use.
func LevelName(path string) string {
	if !strings.HasPrefix(path, "/") {
		return path
	}
	info := systemd.Parse(path)
	last := path[strings.LastIndexByte(path, '/')+1:]
	switch info.Kind {
	case systemd.KindRoot:
		return "root"
	case systemd.KindPod:
		return podName(info)
	case systemd.KindContainer:
		name := "container " + shortID(info.ContainerID)
		if rt := runtimeName(info.Runtime); rt != "" {
			name += " (" + rt + ")"
		}
		if info.Conmon {
			name = "conmon of " + name
		}
		if !strings.Contains(last, info.ContainerID) {
			name += " /" + abbreviate(last)
		}
		return name
	case systemd.KindSlice:
		if info.Driver == systemd.DriverCgroupfs && info.QoS != systemd.QoSNone {
			return "slice kubepods/" + last
		}
		return "slice " + abbreviate(strings.TrimSuffix(last, ".slice"))
	case systemd.KindService:
		return "service " + abbreviate(strings.TrimSuffix(last, ".service"))
	case systemd.KindSession:
		return "session " + strings.TrimSuffix(strings.TrimPrefix(last, "session-"), ".scope")
	case systemd.KindScope:
		return "scope " + abbreviate(strings.TrimSuffix(last, ".scope"))
	}
	return abbreviate(last)
}

// placeName says where a process's cgroup is: its LevelName, and for a
// container in a Kubernetes pod, the pod too.
func placeName(path string) string {
	name := LevelName(path)
	if info := systemd.Parse(path); info.Kind == systemd.KindContainer && info.PodUID != "" && !info.Literal {
		name += " in " + podName(info)
	}
	return name
}

func podName(info systemd.Info) string {
	name := "pod " + shortID(info.PodUID)
	if info.QoS != systemd.QoSNone {
		name += " (" + string(info.QoS) + ")"
	}
	return name
}

// runtimeName is how people call a runtime, "" when not known.
func runtimeName(rt systemd.Runtime) string {
	switch rt {
	case systemd.RuntimeCRIContainerd:
		return "containerd"
	case systemd.RuntimeCRIO:
		return "cri-o"
	case systemd.RuntimeLibpod:
		return "podman"
	}
	return string(rt)
}

// shortID cuts an ID longer than hashRun that starts with 8 hex digits (a
// container ID, a pod UID) to those 8; other names go through abbreviate.
func shortID(id string) string {
	if len(id) > hashRun && hexRun(id) >= 8 {
		return id[:8]
	}
	return abbreviate(id)
}

// hashRun is the longest run of hex digits abbreviate leaves whole.
const hashRun = 12

// abbreviate cuts every run of more than hashRun hex digits in s to its
// first 8: "machine-libpod_pod_f8b4c1…" keeps "f8b4c1d2".
func abbreviate(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if n := hexRun(s[i:]); n > hashRun {
			b.WriteString(s[i : i+8])
			i += n
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// hexRun is the number of hex digits s starts with.
func hexRun(s string) int {
	n := 0
	for n < len(s) && strings.IndexByte("0123456789abcdefABCDEF", s[n]) >= 0 {
		n++
	}
	return n
}
