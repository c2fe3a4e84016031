package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/truelimit/truelimit/limits"
)

// startExporter runs the exporter with args on 127.0.0.1 (port 0 unless
// args say otherwise) until the test ends and returns its address.
func startExporter(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"-listen", "127.0.0.1:0"}, args...), io.Discard, ready) }()
	t.Cleanup(func() {
		cancel()
		assert.NoError(t, <-done)
	})
	select {
	case addr := <-ready:
		return addr
	case err := <-done:
		t.Fatalf("the exporter ended: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the exporter did not start listening in 30 s")
	}
	return ""
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := httpClient.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

// TestExporterEndpoints serves the EKS tree (a sidecar at its own limit,
// its pod at 72.5% of the pod's) and checks /healthz, /metrics and the page.
func TestExporterEndpoints(t *testing.T) {
	addr := startExporter(t, "-root", "../../testdata/v1-eks-sidecar-at-limit-pod-headroom-host-view")
	const (
		pod     = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podfc2e7b49_fa57_44d8_9a69_5c09dc30665b.slice"
		sidecar = pod + "/cri-containerd-4f0ba190d9a9551b5d378044300734f38fd4373477a3ba68b6b6a9ad2c7e82c0.scope"
	)
	code, body := get(t, "http://"+addr+"/healthz")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "ok\n", body)

	code, body = get(t, "http://"+addr+"/metrics")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `truelimit_memory_headroom_bytes{container_id="4f0ba190d9a9551b5d378044300734f38fd4373477a3ba68b6b6a9ad2c7e82c0",id="`+sidecar+`",pod_uid="fc2e7b49-fa57-44d8-9a69-5c09dc30665b",qos="burstable",runtime="cri-containerd",source="`+sidecar+`"} 73728`)
	assert.Contains(t, body, "process_resident_memory_bytes ")

	code, body = get(t, "http://"+addr+"/")
	assert.Equal(t, http.StatusOK, code)
	// The sidecar first (100.0% of its own 256 MiB), then the pod.
	first, second := strings.Index(body, "<tr><td><code>"+sidecar+"</code></td><td class=\"n\">100.0%</td><td class=\"n\">72 KiB</td>"),
		strings.Index(body, "<tr><td><code>"+pod+"</code></td><td class=\"n\">72.5%</td><td class=\"n\">211 MiB</td>")
	assert.True(t, first >= 0 && second > first, "the page lists the sidecar, then its pod:\n%s", body)
	assert.Contains(t, body, "<td><code>/kubepods.slice/kubepods-burstable.slice</code></td><td>limit-in-ancestor</td>")

	code, _ = get(t, "http://"+addr+"/nothing")
	assert.Equal(t, http.StatusNotFound, code)
}

func TestBytes(t *testing.T) {
	for n, want := range map[uint64]string{0: "0 B", 1023: "1023 B", 1024: "1 KiB", 73728: "72 KiB", 256 << 20: "256 MiB", 15583064064: "14.5 GiB"} {
		assert.Equal(t, want, binaryBytes(n), "%d", n)
	}
}

// prometheusDir returns the directory holding usr/bin/prometheus and
// usr/bin/promtool (scripts/prometheus.sh), skipping the test without it
// unless TRUELIMIT_REQUIRE_PROMETHEUS is set (scripts/test.sh sets both).
func prometheusDir(t *testing.T) string {
	dir := os.Getenv("TRUELIMIT_PROMETHEUS")
	if dir == "" {
		if os.Getenv("TRUELIMIT_REQUIRE_PROMETHEUS") != "" {
			t.Fatal("TRUELIMIT_REQUIRE_PROMETHEUS is set but TRUELIMIT_PROMETHEUS is not")
		}
		t.Skip("TRUELIMIT_PROMETHEUS is not set: TRUELIMIT_PROMETHEUS=$(bash scripts/prometheus.sh) runs this test")
	}
	return dir
}

var httpClient = &http.Client{Timeout: 10 * time.Second}

// lockedBuffer is a bytes.Buffer safe for a process's output and a reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestAlertRules checks deploy/rules.yaml with promtool and runs its unit
// tests, deploy/rules_test.yaml: each alert fires on its shape and stays
// quiet on its near miss.
func TestAlertRules(t *testing.T) {
	promtool := filepath.Join(prometheusDir(t), "usr/bin/promtool")
	for _, args := range [][]string{{"check", "rules", "rules.yaml"}, {"test", "rules", "rules_test.yaml"}} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = "deploy"
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "promtool %v:\n%s", args, out)
		assert.Contains(t, string(out), "SUCCESS")
	}
}

// TestExporterHostRoot serves this host through -host-root at "/": the
// hierarchies are found by statfs, the scan has the host's cgroups, and the
// mode is the one limits.Detect tells from mountinfo (this host: hybrid,
// its unified hierarchy holding no controller).
func TestExporterHostRoot(t *testing.T) {
	if _, err := os.Stat("/sys/fs/cgroup"); err != nil {
		t.Skip("no /sys/fs/cgroup:", err)
	}
	detected, err := limits.Detect()
	require.NoError(t, err)
	addr := startExporter(t, "-root", "/", "-host-root", "-process-views=false")
	code, body := get(t, "http://"+addr+"/metrics")
	assert.Equal(t, http.StatusOK, code)
	assert.Regexp(t, `(?m)^truelimit_cgroup_mode\{mode="`+detected.Mode.String()+`"\} 1$`, body)
	assert.Regexp(t, `(?m)^truelimit_cgroups [1-9][0-9]*$`, body)
	assert.Contains(t, body, "truelimit_scan_errors_total 0")
}
