package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/report"
)

// TestMain runs this test binary as cgroupinfo itself when it is started
// under that name, and as a Go program that sets no limit itself when
// started as goruntime: it prints the GOMEMLIMIT and GOMAXPROCS its runtime
// chose (TestRealPrograms puts such links on the PATH of the README's shell
// recipes).
func TestMain(m *testing.M) {
	switch filepath.Base(os.Args[0]) {
	case "cgroupinfo":
		main()
	case "goruntime":
		fmt.Println(debug.SetMemoryLimit(-1), runtime.GOMAXPROCS(0))
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestRunPrintsTheLibraryAnswer checks, on every testdata tree, that
// `cgroupinfo -json -root TREE` prints exactly what limits.Detect answers
// (the fixture tests check that answer against each tree's SOURCE.md) and
// that the text reports, default and -v, name every diagnostic.
func TestRunPrintsTheLibraryAnswer(t *testing.T) {
	trees, err := filepath.Glob("../../testdata/*/expected.json")
	require.NoError(t, err)
	require.NotEmpty(t, trees)
	for _, expected := range trees {
		dir := filepath.Dir(expected)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			res, usage, err := limits.DetectUsage(limits.WithRoot(dir), limits.WithWalk())
			require.NoError(t, err)
			want, err := report.JSON(res, &usage)
			require.NoError(t, err)

			var out bytes.Buffer
			require.NoError(t, run([]string{"-json", "-root", dir}, &out))
			assert.JSONEq(t, string(want), out.String())
			var doc struct{ Walk []any }
			require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
			if len(res.Placements) > 0 {
				assert.NotEmpty(t, doc.Walk, "the CLI shows the walk")
			}

			out.Reset()
			require.NoError(t, run([]string{"-v", "-root", dir}, &out))
			assert.Contains(t, out.String(), "cgroup mode:")
			for _, d := range res.Diagnostics {
				assert.Contains(t, out.String(), string(d.Code))
			}
			out.Reset()
			require.NoError(t, run([]string{"-root", dir}, &out))
			assert.Contains(t, out.String(), "cgroup "+res.Mode.String())
			for _, d := range res.Diagnostics {
				assert.Contains(t, out.String(), string(d.Code)+":")
			}
		})
	}
}

// TestExitStatuses checks cli's exit statuses: 2 for what flag or
// cgroupinfo refuses before reading anything, 1 when the limits cannot be
// read, each with the reason on stderr, and 0 for -h, whose text goes to
// stdout.
func TestExitStatuses(t *testing.T) {
	const tree = "../../testdata/v2-k8s-systemd-pod-limit-leaf-max"
	for _, tt := range []struct {
		args   []string
		status int
		stderr string
	}{
		{[]string{"-nope"}, exitUsage, "flag provided but not defined: -nope"},
		{[]string{"extra"}, exitUsage, "unexpected arguments: [extra]"},
		{[]string{"-pid", "-5"}, exitUsage, "-pid -5: want a process ID"},
		{[]string{"-watch", "-1s"}, exitUsage, "-watch needs a positive interval"},
		{[]string{"-frames", "2"}, exitUsage, "-frames goes with -watch"},
		{[]string{"-require", "memory>=1GiB", "-json"}, exitUsage, "-require is a guard"},
		{[]string{"-require", "memory>1GiB"}, exitUsage, `-require "memory>1GiB": want NAME>=VALUE`},
		{[]string{"-root", "/nonexistent/tree"}, exitError, "limits: /nonexistent/tree/proc/self/mountinfo"},
		{[]string{"-root", tree, "-pid", "999999"}, exitError, "limits: " + tree + "/proc/999999/cgroup"},
		{[]string{"-root", tree}, exitOK, ""},
		{[]string{"-h"}, exitOK, ""},
	} {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, tt.status, cli(tt.args, &stdout, &stderr), "%v", tt.args)
		if tt.stderr == "" {
			assert.Empty(t, stderr.String(), "%v", tt.args)
			assert.NotEmpty(t, stdout.String(), "%v", tt.args)
			continue
		}
		assert.Contains(t, stderr.String(), "cgroupinfo: "+tt.stderr, "%v", tt.args)
		if tt.status == exitUsage {
			assert.Contains(t, stderr.String(), "cgroupinfo -h", "%v", tt.args)
		}
	}
}

// TestRunTree runs -tree on a captured Kubernetes node: the JSON lists every
// cgroup with the effective limits limits.ForCgroup gives for it and names
// what differs from the cgroup's own files; the text marks those with *.
func TestRunTree(t *testing.T) {
	const dir = "../../testdata/v2-k8s-systemd-container-limit"
	const pod = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod78784b50_507f_4cfa_abe0_9ba122268896.slice"
	const container = pod + "/cri-containerd-251bcd0f1f405561e3be57c7f017e290541a8ab73e8637732e1ae788208bf9b3.scope"

	var out bytes.Buffer
	require.NoError(t, run([]string{"-tree", "-json", "-root", dir}, &out))
	var doc struct {
		Hierarchies []struct {
			Version     int      `json:"version"`
			Controllers []string `json:"controllers"`
		} `json:"hierarchies"`
		Cgroups []struct {
			Path      string `json:"path"`
			Effective struct {
				Memory struct {
					State  string  `json:"state"`
					Bytes  *uint64 `json:"bytes"`
					Source *string `json:"source"`
				} `json:"memory"`
				CPU struct {
					Limit *float64 `json:"limit"`
				} `json:"cpu"`
				Pids struct {
					Limit  *uint64 `json:"limit"`
					Source *string `json:"source"`
				} `json:"pids"`
			} `json:"effective"`
			Differs []string `json:"differs"`
			Absent  []string `json:"absent"`
		} `json:"cgroups"`
		Diagnostics []any `json:"diagnostics"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
	require.Len(t, doc.Hierarchies, 1)
	assert.Equal(t, 2, doc.Hierarchies[0].Version)
	assert.Empty(t, doc.Diagnostics)
	var paths []string
	for _, cg := range doc.Cgroups {
		paths = append(paths, cg.Path)
		res, err := limits.ForCgroup(cg.Path, limits.FormAuto, limits.WithRoot(dir))
		require.NoError(t, err)
		assert.Equal(t, res.Memory.Limit.State.String(), cg.Effective.Memory.State, cg.Path)
		if res.Memory.Limit.State == limits.Limited {
			require.NotNil(t, cg.Effective.Memory.Bytes, cg.Path)
			assert.Equal(t, res.Memory.Limit.Value, *cg.Effective.Memory.Bytes, cg.Path)
			assert.Equal(t, res.Memory.Limit.Source, *cg.Effective.Memory.Source, cg.Path)
		} else {
			assert.Nil(t, cg.Effective.Memory.Bytes, cg.Path)
		}
		assert.NotNil(t, cg.Differs, "always a list")
		assert.Empty(t, cg.Absent, "v2 has one hierarchy")
	}
	assert.Equal(t, []string{"/", "/kubepods.slice", "/kubepods.slice/kubepods-burstable.slice", pod, container}, paths)
	last := doc.Cgroups[len(doc.Cgroups)-1]
	assert.Equal(t, []string{"pids"}, last.Differs, "the container sets memory and cpu itself; pids.max comes from the pod")
	require.NotNil(t, last.Effective.Pids.Limit)
	assert.Equal(t, uint64(4096), *last.Effective.Pids.Limit)
	assert.Equal(t, pod, *last.Effective.Pids.Source)
	assert.Equal(t, 0.5, *last.Effective.CPU.Limit)

	out.Reset()
	require.NoError(t, run([]string{"-tree", "-root", dir}, &out))
	lines := strings.Split(out.String(), "\n")
	var containerLine, qosLine string
	for _, l := range lines {
		switch strings.TrimSpace(strings.Fields(l + " x")[0]) {
		case "cri-containerd-251bcd0f1f405561e3be57c7f017e290541a8ab73e8637732e1ae788208bf9b3.scope":
			containerLine = l
		case "kubepods-burstable.slice":
			qosLine = l
		}
	}
	assert.Contains(t, containerLine, "512Mi")
	assert.Contains(t, containerLine, "max *4096 <- ..", "pids: own max, effective 4096 from the parent")
	assert.Equal(t, 1, strings.Count(containerLine, "*"), "only pids differs")
	assert.Contains(t, qosLine, "max *14.63Gi <- ..", "memory from kubepods.slice")

	out.Reset()
	require.NoError(t, run([]string{"-tree", "-json", "-root", dir, "-top", "/kubepods.slice/kubepods-burstable.slice"}, &out))
	require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
	require.Len(t, doc.Cgroups, 3)
	assert.Equal(t, "/kubepods.slice/kubepods-burstable.slice", doc.Cgroups[0].Path)
	assert.Equal(t, "/kubepods.slice", *doc.Cgroups[0].Effective.Memory.Source, "ancestors of the top still count")

	for _, args := range [][]string{{"-tree", "-pid", "1"}, {"-top", "/x"}, {"-tree", "-root", dir, "-top", "/nope.slice"}, {"-tree", "-top", "relative"}} {
		assert.Error(t, run(args, &out), "%v", args)
	}
}
