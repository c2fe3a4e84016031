//go:build e2e

package e2e

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/e2e/probe"
)

// The exporter's DaemonSet shape (issue 15): a container with a private
// cgroup namespace and nothing of the host but its /sys/fs/cgroup and /proc,
// mounted read-only under /host. The probe in it (vmscan) scans /host with
// node.WithHostRoot, which finds the hierarchies by filesystem type; its own
// mountinfo prints the host's cgroup root as "/../../..", so a scan by
// mountinfo could not place the host's cgroups. The guest host then scans
// itself from its own mountinfo: the two must tell the same mode,
// hierarchies and limited cgroups, and agree with ForCgroup.

// hostRootLib is probe_hostroot for runtimeLib.
const hostRootLib = `
# probe_hostroot LABEL ENGINE starts a sleeping container below the limited
# limited.slice with a private cgroup namespace and the host's /sys/fs/cgroup
# and /proc mounted read-only under /host, runs vmscan (the probe with
# -scan) in it with -scan /host (node.WithHostRoot) as LABEL-inside, then on
# the guest host with -scan / (its own mountinfo) and ForCgroup of
# limited.slice as LABEL-outside.
probe_hostroot() {
	label=$1 engine=$2
	$engine run -d --name "$label" --network=none --cgroupns=private --cgroup-parent=limited.slice \
		-v /sys/fs/cgroup:/host/sys/fs/cgroup:ro -v /proc:/host/proc:ro \
		localhost/probe /bin/busybox sleep 3600 > /dev/null
	$engine exec "$label" /vmscan -label "$label-inside" -scan /host -read /proc/self/mountinfo
	vmscan -label "$label-outside" -scan / -forcgroup /limited.slice
}
`

// hostRootChecks are the checks of probe_hostroot LABEL, the container
// being crun's under limited.slice (libpod-<id>.scope/container), on the
// v2 guest or the v1 one (systemd's hybrid layout). The outside check
// compares with the inside one's scan, so both run, in order.
func hostRootChecks(label string, v1 bool) []check {
	container := regexp.MustCompile(`^/limited\.slice/libpod-` + hexID + `\.scope/container$`)
	var inside *probe.ScanDoc
	return []check{
		{label + "-inside", func(t *testing.T, out probe.Output) {
			assert.NotEqual(t, initialCgroupNamespace, out.CgroupNamespace, "a private cgroup namespace")
			// (On v1, podman exec leaves the name=systemd hierarchy as it
			// was: the probe's unit's, outside the namespace.)
			assert.Equal(t, "/", runtimeCase{v1: v1}.cgroupOf(t, out.ProcSelfCgroup), "at its namespace's root")
			// Its own cgroups at its namespace's root, and the host's,
			// three levels above it.
			roots := mountRoots(out)
			if v1 {
				for _, point := range v1Hierarchies {
					assert.Contains(t, roots, mountRoot{point, "/"})
					assert.Contains(t, roots, mountRoot{"/host" + point, "/../../.."})
				}
			} else {
				assert.ElementsMatch(t, []mountRoot{{"/sys/fs/cgroup", "/"}, {"/host/sys/fs/cgroup", "/../../.."}}, roots)
			}
			// The two mounts, read-only, and beneath /host/sys/fs/cgroup
			// nothing but what is mounted beneath the host's.
			require.Len(t, out.Reads, 1)
			var host []string
			for _, line := range strings.Split(out.Reads[0].Before.Text, "\n") {
				f := strings.Fields(line)
				if len(f) < 6 || !strings.HasPrefix(f[4], "/host/") {
					continue
				}
				if strings.HasPrefix(f[4], "/host/sys/fs/cgroup/") {
					assert.True(t, v1, "a hierarchy beneath /host/sys/fs/cgroup on v1 only: %s", line)
					continue
				}
				host = append(host, f[4])
				assert.Contains(t, strings.Split(f[5], ","), "ro", "%s is mounted read-only", f[4])
			}
			assert.ElementsMatch(t, []string{"/host/sys/fs/cgroup", "/host/proc"}, host, "the mounts under /host")
			require.NotNil(t, out.Scan)
			require.Empty(t, out.Scan.Error)
			assert.Equal(t, "/host", out.Scan.Root)
			if v1 {
				assert.Equal(t, "hybrid", out.Scan.Mode, "v1 controllers and systemd's cgroup2 beside them")
			} else {
				assert.Equal(t, "v2", out.Scan.Mode)
				assert.Equal(t, []probe.HierarchyDoc{{Controllers: []string{"memory", "cpu", "cpuset", "pids"}, Version: 2,
					MountPoint: "/sys/fs/cgroup", MountRoot: "/", Top: "/"}}, out.Scan.Hierarchies)
			}
			// The scenario's limited parent and this container below it,
			// by the host's paths.
			var parent, own []probe.LimitedDoc
			for _, l := range out.Scan.Limited {
				switch {
				case l.Path == "/limited.slice":
					parent = append(parent, l)
				case container.MatchString(l.Path) && l.MemorySource == "/limited.slice":
					own = append(own, l)
				}
			}
			assert.Equal(t, []probe.LimitedDoc{{Path: "/limited.slice", Memory: 256 * mib, MemorySource: "/limited.slice",
				CPU: 0.5, CPUSource: "/limited.slice"}}, parent)
			require.NotEmpty(t, own, "the container's own cgroup, limited by limited.slice")
			inside = out.Scan
		}},
		{label + "-outside", func(t *testing.T, out probe.Output) {
			assert.Equal(t, initialCgroupNamespace, out.CgroupNamespace, "the probe runs on the guest host")
			require.NotNil(t, inside, "the inside check ran")
			require.NotNil(t, out.Scan)
			require.Empty(t, out.Scan.Error)
			require.NotNil(t, out.Detect.Report, out.Detect.Error)
			assert.Equal(t, *out.Detect.Report.Mode, inside.Mode, "the mode Detect tells on the guest host")
			assert.Equal(t, out.Scan.Mode, inside.Mode)
			assert.Equal(t, out.Scan.Hierarchies, inside.Hierarchies)
			// The same limited cgroups, by the host's paths, with the
			// same limits and sources: the scenario's containers, pod and
			// parents, which live on between the two scans.
			assert.Equal(t, out.Scan.Limited, inside.Limited)
			in := map[string]probe.LimitedDoc{}
			for _, l := range inside.Limited {
				in[l.Path] = l
			}
			assert.Contains(t, in, "/limited", "the cgroupfs parent")
			// ForCgroup of limited.slice on the guest host.
			require.Len(t, out.ForCgroup, 1)
			doc := reportOf(t, out.ForCgroup[0], runtimeMachine(v1))
			require.NotNil(t, doc.Memory.LimitBytes)
			require.NotNil(t, doc.CPU.Limit)
			assert.Equal(t, probe.LimitedDoc{Path: "/limited.slice", Memory: *doc.Memory.LimitBytes, MemorySource: *doc.Memory.Source,
				CPU: *doc.CPU.Limit, CPUSource: *doc.CPU.Source}, in["/limited.slice"], "ForCgroup(/limited.slice) on the guest host")
		}},
	}
}
