package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/treetest"
)

// TestRunTreeProcessViews runs -tree -process-views on a v2 pod whose
// container runs process 7 in a private cgroup namespace: the container's
// line names the process and the limits hidden from it, a diagnostic says
// what it sees, and the JSON carries the view. Without the flag none of it.
func TestRunTreeProcessViews(t *testing.T) {
	const pod, ctr = "/pod", "/pod/ctr"
	cg := "sys/fs/cgroup"
	root := treetest.Write(t, map[string]string{
		"proc/self/mountinfo":            "35 24 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
		"proc/7/mountinfo":               "1205 1199 0:30 " + ctr + " /sys/fs/cgroup ro - cgroup2 cgroup rw\n",
		"proc/7/cgroup":                  "0::" + ctr + "\n",
		cg + "/cgroup.controllers":       "cpu memory pids\n",
		cg + pod + "/cgroup.controllers": "cpu memory pids\n",
		cg + pod + "/memory.max":         "268435456\n",
		cg + pod + "/cpu.max":            "50000 100000\n",
		cg + ctr + "/memory.max":         "536870912\n",
		cg + ctr + "/cpu.max":            "100000 100000\n",
		cg + ctr + "/cgroup.procs":       "7\n",
		cg + ctr + "/cgroup.controllers": "cpu memory pids\n",
	})

	var out bytes.Buffer
	require.NoError(t, run([]string{"-tree", "-process-views", "-root", root}, &out))
	text := out.String()
	assert.Contains(t, text, "PROCESS")
	var ctrLine string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "ctr ") {
			ctrLine = l
		}
	}
	assert.Contains(t, ctrLine, "pid 7 !memory,cpu")
	assert.Contains(t, ctrLine, "512Mi *256Mi <- ..")
	assert.Contains(t, text, "! limit-hidden-from-process: cgroup /pod/ctr (pid 7): ")
	assert.Contains(t, text, "CPU limit: below the top of its cpu hierarchy, /pod/ctr, it sees 1 CPUs from /pod/ctr, but 0.5 CPUs from /pod applies")

	out.Reset()
	require.NoError(t, run([]string{"-tree", "-process-views", "-json", "-root", root}, &out))
	var doc struct {
		Cgroups []struct {
			Path      string `json:"path"`
			Effective struct {
				Memory struct {
					Scope *string `json:"scope"`
				} `json:"memory"`
			} `json:"effective"`
			Process *struct {
				PID    int      `json:"pid"`
				Hidden []string `json:"hidden"`
				Sees   struct {
					Memory struct {
						Bytes *uint64 `json:"bytes"`
						Scope *string `json:"scope"`
					} `json:"memory"`
				} `json:"sees"`
			} `json:"process"`
		} `json:"cgroups"`
		Diagnostics []struct {
			Code string `json:"code"`
		} `json:"diagnostics"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
	require.Len(t, doc.Cgroups, 3)
	assert.Nil(t, doc.Cgroups[1].Process, "the pod is not a leaf")
	last := doc.Cgroups[2]
	assert.Equal(t, ctr, last.Path)
	require.NotNil(t, last.Effective.Memory.Scope)
	assert.Equal(t, "effective", *last.Effective.Memory.Scope)
	require.NotNil(t, last.Process)
	assert.Equal(t, 7, last.Process.PID)
	assert.Equal(t, []string{"memory", "cpu"}, last.Process.Hidden)
	require.NotNil(t, last.Process.Sees.Memory.Bytes)
	assert.Equal(t, uint64(512<<20), *last.Process.Sees.Memory.Bytes)
	assert.Equal(t, "visible", *last.Process.Sees.Memory.Scope)
	require.Len(t, doc.Diagnostics, 1)
	assert.Equal(t, "limit-hidden-from-process", doc.Diagnostics[0].Code)

	out.Reset()
	require.NoError(t, run([]string{"-tree", "-root", root}, &out))
	assert.NotContains(t, out.String(), "PROCESS")
	assert.NotContains(t, out.String(), "limit-hidden-from-process")

	assert.Error(t, run([]string{"-process-views", "-root", root}, &out), "-process-views goes with -tree")
}
