//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/truelimit/truelimit/internal/cgtest"
)

// freePort returns a port of 127.0.0.1 free a moment ago, for Prometheus,
// which takes its address as a flag.
func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// TestRealPrometheus runs Debian's Prometheus against two exporters on
// 127.0.0.1: one on this host's real cgroups, where the test creates a
// memory cgroup limited to 256 MiB with a child whose own limit is
// unlimited and a process in it, and one on the generated tree of a gVisor
// sandbox outside its pod. After two scrapes of each it queries the HTTP API:
// the child's effective limit is what cgroupinfo -pid reports for the
// process, and the container-outside-pod series of the tree is 1.
func TestRealPrometheus(t *testing.T) {
	promDir := prometheusDir(t)
	parent := cgtest.New(t, "memory")
	parent.Set(t, "memory", "memory.limit_in_bytes", strconv.Itoa(256<<20))
	child := parent.Child(t, "child")
	sleeper := child.Command(t, "sleep", "600")
	require.NoError(t, sleeper.Start())

	// What cgroupinfo reports for the process in the child.
	work := t.TempDir()
	cgroupinfo := filepath.Join(work, "cgroupinfo")
	build := exec.Command("go", "build", "-o", cgroupinfo, "github.com/truelimit/truelimit/examples/cgroupinfo")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	out, err = exec.Command(cgroupinfo, "-json", "-pid", strconv.Itoa(sleeper.Process.Pid)).Output()
	require.NoError(t, err)
	var report struct {
		Memory struct {
			LimitBytes *uint64 `json:"limit_bytes"`
			Source     *string `json:"source"`
		} `json:"memory"`
	}
	require.NoError(t, json.Unmarshal(out, &report))
	require.NotNil(t, report.Memory.LimitBytes, "cgroupinfo: %s", out)
	require.Equal(t, uint64(256<<20), *report.Memory.LimitBytes)
	require.Equal(t, parent.Path("memory"), *report.Memory.Source)

	host := startExporter(t, "-max-age", "0")
	tree := startExporter(t, "-root", "../../testdata/v2-runsc-literal-under-system-slice")

	promAddr := freePort(t)
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: host
    static_configs: [{targets: [%q]}]
  - job_name: tree
    static_configs: [{targets: [%q]}]
`, host, tree)
	configFile := filepath.Join(work, "prometheus.yml")
	require.NoError(t, os.WriteFile(configFile, []byte(config), 0o644))
	prom := exec.Command(filepath.Join(promDir, "usr/bin/prometheus"),
		"--config.file="+configFile, "--storage.tsdb.path="+filepath.Join(work, "data"),
		"--web.listen-address="+promAddr, "--web.console.templates="+work, "--web.console.libraries="+work)
	var promLog lockedBuffer
	prom.Stdout, prom.Stderr = &promLog, &promLog
	require.NoError(t, prom.Start())
	t.Cleanup(func() {
		_ = prom.Process.Kill()
		_ = prom.Wait()
		if t.Failed() {
			t.Logf("prometheus:\n%s", promLog.String())
		}
	})

	// Two scrapes of each job: every sample of truelimit_cgroups in the
	// last minute counts one.
	deadline := time.Now().Add(90 * time.Second)
	for {
		v, ok := query(t, promAddr, `min(count_over_time(truelimit_cgroups[1m]))`)
		if ok && v >= 2 {
			if n, _ := query(t, promAddr, `count(count_over_time(truelimit_cgroups[1m]) >= 2)`); n == 2 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("Prometheus did not scrape both exporters twice in 90 s")
		}
		time.Sleep(500 * time.Millisecond)
	}

	childPath := child.Path("memory")
	v, ok := query(t, promAddr, `truelimit_memory_effective_limit_bytes{job="host",id=`+strconv.Quote(childPath)+`}`)
	require.True(t, ok, "no effective limit of %s", childPath)
	assert.Equal(t, float64(*report.Memory.LimitBytes), v)
	_, ok = query(t, promAddr, `truelimit_memory_own_limit_bytes{job="host",id=`+strconv.Quote(childPath)+`}`)
	assert.False(t, ok, "the child's own limit is unlimited: no sample")
	v, ok = query(t, promAddr, `truelimit_memory_headroom_bytes{job="host",id=`+strconv.Quote(childPath)+`,source=`+strconv.Quote(parent.Path("memory"))+`}`)
	assert.True(t, ok && v > 0 && v <= 256<<20, "headroom %v against the parent", v)

	v, ok = query(t, promAddr, `truelimit_diagnostic{job="tree",code="container-outside-pod"}`)
	require.True(t, ok, "no container-outside-pod series")
	assert.Equal(t, 1.0, v)
}

// query runs an instant query and returns the value of its one sample;
// false when it has none (or more than one).
func query(t *testing.T, addr, q string) (float64, bool) {
	t.Helper()
	resp, err := httpClient.Get("http://" + addr + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		return 0, false // not listening yet
	}
	defer resp.Body.Close()
	var body struct {
		Status string
		Data   struct {
			Result []struct {
				Value [2]any
			}
		}
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	if body.Status != "success" || len(body.Data.Result) != 1 {
		return 0, false
	}
	s, _ := body.Data.Result[0].Value[1].(string)
	v, err := strconv.ParseFloat(s, 64)
	require.NoError(t, err)
	return v, true
}
