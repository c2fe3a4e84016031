package systemd

import "strings"

// QoS is a Kubernetes pod's quality-of-service class, which decides where
// kubelet puts the pod's cgroup: guaranteed pods directly under kubepods,
// burstable and best-effort pods under kubepods/burstable and
// kubepods/besteffort.
type QoS string

// The QoS classes, spelled as kubelet spells them in cgroup names.
const (
	QoSNone       QoS = "" // not known, or the path is not under a pod
	QoSGuaranteed QoS = "guaranteed"
	QoSBurstable  QoS = "burstable"
	QoSBestEffort QoS = "besteffort"
)

// Runtime names the container runtime that created a container's cgroup, as
// its scope or directory name shows it.
type Runtime string

// The runtimes whose cgroup names this package recognises.
const (
	RuntimeUnknown Runtime = ""
	// RuntimeDocker: "docker-<id>.scope" under systemd, "/docker/<id>" with
	// cgroupfs.
	RuntimeDocker Runtime = "docker"
	// RuntimeCRIContainerd: containerd's CRI plugin, "cri-containerd-<id>.scope"
	// under systemd, "/k8s.io/<id>" for its own namespace with cgroupfs.
	RuntimeCRIContainerd Runtime = "cri-containerd"
	// RuntimeCRIO: CRI-O, "crio-<id>.scope" (and "crio-conmon-<id>.scope" for
	// the conmon monitor) under systemd, "crio-<id>" with cgroupfs.
	RuntimeCRIO Runtime = "crio"
	// RuntimeLibpod: Podman, "libpod-<id>.scope" (and "libpod-conmon-<id>.scope")
	// under systemd, "/libpod_parent/libpod-<id>" with cgroupfs.
	RuntimeLibpod Runtime = "libpod"
)

// runtimeName is how a runtime prefixes a container's cgroup name. The
// "-conmon-" forms name the cgroup of the conmon process that monitors the
// container, a sibling of the container's own.
type runtimeName struct {
	prefix string
	rt     Runtime
	conmon bool
}

// runtimeNames is ordered so that a longer prefix is tried before a shorter
// one it extends ("crio-conmon-" before "crio-").
var runtimeNames = [...]runtimeName{
	{"cri-containerd-", RuntimeCRIContainerd, false},
	{"crio-conmon-", RuntimeCRIO, true},
	{"crio-", RuntimeCRIO, false},
	{"docker-", RuntimeDocker, false},
	{"libpod-conmon-", RuntimeLibpod, true},
	{"libpod-", RuntimeLibpod, false},
}

// splitRuntime splits a container cgroup name without its ".scope" suffix,
// such as "crio-conmon-abcd", into its runtime and ID.
func splitRuntime(s string) (runtimeName, string, bool) {
	for _, r := range runtimeNames {
		if id, ok := strings.CutPrefix(s, r.prefix); ok && id != "" {
			return r, id, true
		}
	}
	return runtimeName{}, "", false
}

// runtimeForPrefix maps the prefix field of a cgroupsPath ("cri-containerd"
// in "...slice:cri-containerd:<id>") to the runtime that uses it.
func runtimeForPrefix(prefix string) Runtime {
	for _, r := range runtimeNames {
		if !r.conmon && r.prefix[:len(r.prefix)-1] == prefix {
			return r.rt
		}
	}
	return RuntimeUnknown
}

// prefixFor returns the scope-name prefix, with its trailing '-', that rt
// uses for a container (or its conmon when conmon is set).
func prefixFor(rt Runtime, conmon bool) (string, bool) {
	for _, r := range runtimeNames {
		if r.rt == rt && r.conmon == conmon {
			return r.prefix, true
		}
	}
	return "", false
}

// kubepods is the name of kubelet's node-allocatable cgroup, the parent of
// every pod cgroup (kubelet's defaultNodeAllocatableCgroupName).
const kubepods = "kubepods"

// podUIDFromName returns the UID in a kubelet pod cgroup name component,
// "pod<uid>", with '_' (how kubelet escapes '-' for the systemd driver)
// turned back into '-'. The UID must be hex digits and separators, which
// covers API-server UUIDs and the hashes kubelet uses for static pods.
func podUIDFromName(comp string) (string, bool) {
	uid, ok := strings.CutPrefix(comp, "pod")
	if !ok || !validPodUID(uid, '_') && !validPodUID(uid, '-') {
		return "", false
	}
	return strings.ReplaceAll(uid, "_", "-"), true
}

// validPodUID reports whether uid is hex digits separated by single sep
// bytes, not starting or ending with sep.
func validPodUID(uid string, sep byte) bool {
	if uid == "" || uid[0] == sep || uid[len(uid)-1] == sep {
		return false
	}
	for i := 0; i < len(uid); i++ {
		c := uid[i]
		if c == sep {
			if uid[i-1] == sep {
				return false
			}
			continue
		}
		if _, ok := unhex(c); !ok {
			return false
		}
	}
	return true
}

// qosFromName maps the QoS component of a kubelet cgroup name to its class.
func qosFromName(comp string) (QoS, bool) {
	switch comp {
	case string(QoSBurstable):
		return QoSBurstable, true
	case string(QoSBestEffort):
		return QoSBestEffort, true
	}
	return QoSNone, false
}
