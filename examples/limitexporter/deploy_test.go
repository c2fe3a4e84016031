package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// TestDaemonSetManifest decodes deploy/daemonset.yaml strictly into an
// apps/v1 DaemonSet (an unknown or misspelt field fails) and checks what
// the exporter needs and no more: the host's /sys/fs/cgroup and /proc
// read-only under /host, -host-root, no privilege, no host namespaces,
// requests and limits of its own.
func TestDaemonSetManifest(t *testing.T) {
	data, err := os.ReadFile("deploy/daemonset.yaml")
	require.NoError(t, err)
	var ds appsv1.DaemonSet
	require.NoError(t, yaml.UnmarshalStrict(data, &ds))
	assert.Equal(t, "apps/v1", ds.APIVersion)
	assert.Equal(t, "DaemonSet", ds.Kind)

	spec := ds.Spec.Template.Spec
	assert.False(t, spec.HostPID || spec.HostNetwork || spec.HostIPC, "no host namespace")
	hostPaths := map[string]string{}
	for _, v := range spec.Volumes {
		require.NotNil(t, v.HostPath, "volume %s", v.Name)
		require.NotNil(t, v.HostPath.Type)
		assert.Equal(t, corev1.HostPathDirectory, *v.HostPath.Type)
		hostPaths[v.Name] = v.HostPath.Path
	}
	assert.Equal(t, map[string]string{"cgroup": "/sys/fs/cgroup", "proc": "/proc"}, hostPaths, "exactly the two host directories")

	require.Len(t, spec.Containers, 1)
	c := spec.Containers[0]
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		assert.True(t, m.ReadOnly, "%s is read-only", m.MountPath)
		mounts[hostPaths[m.Name]] = m.MountPath
	}
	assert.Equal(t, map[string]string{"/sys/fs/cgroup": "/host/sys/fs/cgroup", "/proc": "/host/proc"}, mounts)
	assert.Subset(t, c.Args, []string{"-root=/host", "-host-root", "-process-views=false"})

	sc := c.SecurityContext
	require.NotNil(t, sc)
	assert.False(t, sc.Privileged != nil && *sc.Privileged, "not privileged")
	assert.False(t, sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation, "no privilege escalation")
	assert.True(t, sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem)
	require.NotNil(t, sc.Capabilities)
	assert.Equal(t, []corev1.Capability{"ALL"}, sc.Capabilities.Drop)
	assert.Empty(t, sc.Capabilities.Add)
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		assert.Contains(t, c.Resources.Requests, r)
		assert.Contains(t, c.Resources.Limits, r)
	}
	require.NotNil(t, c.ReadinessProbe)
	assert.Equal(t, "/healthz", c.ReadinessProbe.HTTPGet.Path)

	// Strict: an unknown field fails (field names match case-insensitively,
	// as encoding/json matches them).
	var bad appsv1.DaemonSet
	assert.Error(t, yaml.UnmarshalStrict([]byte(strings.Replace(string(data), "readOnly: true", "readOnlyy: true", 1)), &bad))
}

// TestSystemdUnit checks deploy/truelimit-exporter.service with
// systemd-analyze verify, its ExecStart pointed at a build of the exporter.
func TestSystemdUnit(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil && os.Getenv("TRUELIMIT_REQUIRE_SYSTEMD_ANALYZE") != "" {
		t.Fatal("TRUELIMIT_REQUIRE_SYSTEMD_ANALYZE is set:", err)
	}
	if err != nil {
		t.Skip("systemd-analyze is not installed (Debian: apt-get install systemd):", err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "limitexporter")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	unit, err := os.ReadFile("deploy/truelimit-exporter.service")
	require.NoError(t, err)
	const installed = "/usr/local/bin/limitexporter"
	require.Contains(t, string(unit), "ExecStart="+installed+" ")
	file := filepath.Join(dir, "truelimit-exporter.service")
	require.NoError(t, os.WriteFile(file, []byte(strings.Replace(string(unit), "ExecStart="+installed, "ExecStart="+bin, 1)), 0o644))
	cmd := exec.Command(analyze, "verify", file)
	cmd.Env = append(os.Environ(), "SYSTEMD_LOG_LEVEL=notice")
	out, err = cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	// verify also reports the system's own units' problems; none of ours.
	assert.NotContains(t, string(out), "truelimit-exporter.service:", "%s", out)
}
