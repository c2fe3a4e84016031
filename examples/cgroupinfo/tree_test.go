package main

import (
	"bytes"
	"encoding/json"
	"regexp"
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

// usageTree is a v2 node for -usage: kubepods.slice (4 GiB, using 3) has 1
// GiB of room, its pod (1 GiB, using 900 MiB) 124 MiB, which binds a.scope
// (no limit); b.scope's own limit (450 MiB, using 400) leaves 50 MiB;
// other.slice has kubepods.slice's room; nothing limits system.slice, and
// the root cgroup has no memory.current.
func usageTree(t *testing.T) string {
	files := map[string]string{"proc/self/mountinfo": "35 24 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"}
	for _, cg := range []struct{ path, max, current string }{
		{"", "", ""},
		{"/kubepods.slice", "4294967296", "3221225472"},
		{"/kubepods.slice/pod.slice", "1073741824", "943718400"},
		{"/kubepods.slice/pod.slice/a.scope", "max", "524288000"},
		{"/kubepods.slice/pod.slice/b.scope", "471859200", "419430400"},
		{"/kubepods.slice/other.slice", "max", "104857600"},
		{"/system.slice", "max", "209715200"},
	} {
		dir := "sys/fs/cgroup" + cg.path
		files[dir+"/cgroup.controllers"] = "cpu memory pids\n"
		if cg.max != "" {
			files[dir+"/memory.max"] = cg.max + "\n"
			files[dir+"/memory.current"] = cg.current + "\n"
		}
	}
	return treetest.Write(t, files)
}

// cgroupLines returns the lines of the cgroups table of -tree's text, each
// split into its columns.
func cgroupLines(t *testing.T, text string) [][]string {
	t.Helper()
	var lines [][]string
	in := false
	for _, l := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(l, "CGROUP"):
			in = true
		case in && l == "":
			return lines
		case in:
			lines = append(lines, strings.Split(regexp.MustCompile(`  +`).ReplaceAllString(strings.TrimSpace(l), "\t"), "\t"))
		}
	}
	t.Fatalf("no cgroups table in\n%s", text)
	return nil
}

// TestRunTreeUsage runs -tree -usage and -tree -sort headroom: the text
// gains CURRENT and HEADROOM columns, the headroom naming the level that
// leaves the least room; sorted, the cgroups come by headroom, the least
// first, those without one last, ties in path order.
func TestRunTreeUsage(t *testing.T) {
	root := usageTree(t)
	tests := []struct {
		name string
		args []string
		want [][]string // CGROUP, CURRENT, HEADROOM
	}{
		{"-usage", []string{"-tree", "-usage"}, [][]string{
			{"/", "?", "?"},
			{"kubepods.slice", "3Gi", "1Gi <- ."},
			{"other.slice", "100Mi", "1Gi <- .."},
			{"pod.slice", "900Mi", "124Mi <- ."},
			{"a.scope", "500Mi", "124Mi <- .."},
			{"b.scope", "400Mi", "50Mi <- ."},
			{"system.slice", "200Mi", "?"},
		}},
		{"-sort headroom", []string{"-tree", "-sort", "headroom"}, [][]string{
			{"/kubepods.slice/pod.slice/b.scope", "400Mi", "50Mi <- ."},
			{"/kubepods.slice/pod.slice", "900Mi", "124Mi <- ."},
			{"/kubepods.slice/pod.slice/a.scope", "500Mi", "124Mi <- .."},
			{"/kubepods.slice", "3Gi", "1Gi <- ."},
			{"/kubepods.slice/other.slice", "100Mi", "1Gi <- .."},
			{"/", "?", "?"},
			{"/system.slice", "200Mi", "?"},
		}},
		{"-sort headroom -top", []string{"-tree", "-sort", "headroom", "-usage", "-top", "/kubepods.slice/pod.slice"}, [][]string{
			{"/kubepods.slice/pod.slice/b.scope", "400Mi", "50Mi <- ."},
			{"/kubepods.slice/pod.slice", "900Mi", "124Mi <- ."},
			{"/kubepods.slice/pod.slice/a.scope", "500Mi", "124Mi <- .."},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			require.NoError(t, run(append(tt.args, "-root", root), &out))
			lines := cgroupLines(t, out.String())
			var got [][]string
			for _, l := range lines {
				require.Len(t, l, 8, "%q", l)
				got = append(got, []string{l[0], l[6], l[7]})
			}
			assert.Equal(t, tt.want, got, out.String())
			assert.Contains(t, out.String(), "CURRENT  HEADROOM")
		})
	}

	var out bytes.Buffer
	require.NoError(t, run([]string{"-tree", "-root", root}, &out))
	assert.NotContains(t, out.String(), "HEADROOM")
	for _, args := range [][]string{{"-usage"}, {"-sort", "headroom"}, {"-tree", "-sort", "path"}} {
		assert.Error(t, run(append(args, "-root", root), &out), "%v", args)
	}
}

// TestRunTreeUsageJSON checks the JSON of -tree -usage: every cgroup has
// "usage" with current_bytes, headroom_bytes and headroom_source, each
// null when unknown; without -usage "usage" is null; with -sort headroom
// the cgroups come in that order.
func TestRunTreeUsageJSON(t *testing.T) {
	root := usageTree(t)
	tests := []struct {
		name  string
		args  []string
		paths []string
		usage map[string]string // path: the JSON of its usage
	}{
		{"-usage", []string{"-usage"},
			[]string{"/", "/kubepods.slice", "/kubepods.slice/other.slice", "/kubepods.slice/pod.slice",
				"/kubepods.slice/pod.slice/a.scope", "/kubepods.slice/pod.slice/b.scope", "/system.slice"},
			map[string]string{
				"/": `{"current_bytes": null, "headroom_bytes": null, "headroom_source": null}`,
				"/kubepods.slice/pod.slice/a.scope": `{"current_bytes": 524288000, "headroom_bytes": 130023424,
					"headroom_source": "/kubepods.slice/pod.slice"}`,
				"/system.slice": `{"current_bytes": 209715200, "headroom_bytes": null, "headroom_source": null}`,
			}},
		{"-sort headroom", []string{"-sort", "headroom"},
			[]string{"/kubepods.slice/pod.slice/b.scope", "/kubepods.slice/pod.slice", "/kubepods.slice/pod.slice/a.scope",
				"/kubepods.slice", "/kubepods.slice/other.slice", "/", "/system.slice"},
			map[string]string{
				"/kubepods.slice/pod.slice/b.scope": `{"current_bytes": 419430400, "headroom_bytes": 52428800,
					"headroom_source": "/kubepods.slice/pod.slice/b.scope"}`,
			}},
		{"without -usage", nil,
			[]string{"/", "/kubepods.slice", "/kubepods.slice/other.slice", "/kubepods.slice/pod.slice",
				"/kubepods.slice/pod.slice/a.scope", "/kubepods.slice/pod.slice/b.scope", "/system.slice"},
			map[string]string{"/": "null", "/kubepods.slice/pod.slice/b.scope": "null"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			require.NoError(t, run(append([]string{"-tree", "-json", "-root", root}, tt.args...), &out))
			var doc struct {
				Cgroups []map[string]json.RawMessage `json:"cgroups"`
			}
			require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
			var paths []string
			for _, cg := range doc.Cgroups {
				var path string
				require.NoError(t, json.Unmarshal(cg["path"], &path))
				paths = append(paths, path)
				usage, ok := cg["usage"]
				require.True(t, ok, "every cgroup has the key usage")
				if want, ok := tt.usage[path]; ok {
					assert.JSONEq(t, want, string(usage), path)
				}
			}
			assert.Equal(t, tt.paths, paths)
		})
	}
}
