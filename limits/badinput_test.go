package limits_test

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/treetest"
	"github.com/truelimit/truelimit/limits"
)

// writeTree creates files under a temporary root (see treetest.Write).
func writeTree(t testing.TB, files map[string]string) string { return treetest.Write(t, files) }

const v2Mountinfo = "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n"

// v2Tree is a two-level v2 tree (/ and /pod.slice/app.scope below it) whose
// files the cases override.
func v2Tree(overrides map[string]string) map[string]string {
	files := map[string]string{
		"proc/self/mountinfo":                                     v2Mountinfo,
		"proc/self/cgroup":                                        "0::/pod.slice/app.scope\n",
		"proc/meminfo":                                            "MemTotal:        8000000 kB\n",
		"sys/fs/cgroup/cgroup.controllers":                        "cpuset cpu io memory pids\n",
		"sys/fs/cgroup/cpuset.cpus.effective":                     "0-3\n",
		"sys/fs/cgroup/pod.slice/cgroup.controllers":              "cpuset cpu io memory pids\n",
		"sys/fs/cgroup/pod.slice/memory.max":                      "536870912\n",
		"sys/fs/cgroup/pod.slice/cpu.max":                         "max 100000\n",
		"sys/fs/cgroup/pod.slice/app.scope/cgroup.controllers":    "cpuset cpu io memory pids\n",
		"sys/fs/cgroup/pod.slice/app.scope/memory.max":            "max\n",
		"sys/fs/cgroup/pod.slice/app.scope/cpu.max":               "50000 100000\n",
		"sys/fs/cgroup/pod.slice/app.scope/cpu.weight":            "100\n",
		"sys/fs/cgroup/pod.slice/app.scope/cpuset.cpus.effective": "0-3\n",
	}
	return overridden(files, overrides)
}

// overridden applies overrides to a tree's files: a value replaces a file,
// "<delete>" removes it.
func overridden(files, overrides map[string]string) map[string]string {
	for k, v := range overrides {
		if v == "<delete>" {
			delete(files, k)
			continue
		}
		files[k] = v
	}
	return files
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		codes   []limits.Code
		memory  limits.State
		cpu     limits.State
		checkFn func(t *testing.T, r limits.Result)
	}{
		{
			name:   "well-formed tree",
			files:  v2Tree(nil),
			codes:  []limits.Code{limits.CodeLimitInAncestor},
			memory: limits.Limited, cpu: limits.Limited,
		},
		{
			name:   "garbage in memory.max",
			files:  v2Tree(map[string]string{"sys/fs/cgroup/pod.slice/memory.max": "lots\n"}),
			codes:  []limits.Code{limits.CodeBadValue},
			memory: limits.Unknown, cpu: limits.Limited,
			checkFn: func(t *testing.T, r limits.Result) {
				assert.Contains(t, r.Diagnostics[0].Message, "pod.slice/memory.max")
			},
		},
		{
			name:   "cpu.max with a zero period",
			files:  v2Tree(map[string]string{"sys/fs/cgroup/pod.slice/app.scope/cpu.max": "50000 0\n"}),
			codes:  []limits.Code{limits.CodeBadValue, limits.CodeLimitInAncestor},
			memory: limits.Limited, cpu: limits.Unknown,
		},
		{
			name:   "unreadable limit file",
			files:  v2Tree(map[string]string{"sys/fs/cgroup/pod.slice/memory.max": treetest.Dir}),
			codes:  []limits.Code{limits.CodeReadError},
			memory: limits.Unknown, cpu: limits.Limited,
		},
		{
			name: "vanished leaf",
			files: v2Tree(map[string]string{
				"sys/fs/cgroup/pod.slice/app.scope/cgroup.controllers":    "<delete>",
				"sys/fs/cgroup/pod.slice/app.scope/memory.max":            "<delete>",
				"sys/fs/cgroup/pod.slice/app.scope/cpu.max":               "<delete>",
				"sys/fs/cgroup/pod.slice/app.scope/cpu.weight":            "<delete>",
				"sys/fs/cgroup/pod.slice/app.scope/cpuset.cpus.effective": "<delete>",
			}),
			codes:  []limits.Code{limits.CodeReadError},
			memory: limits.Unknown, cpu: limits.Unknown,
		},
		{
			name:   "memory not enabled for the leaf: the ancestor's limit still applies",
			files:  v2Tree(map[string]string{"sys/fs/cgroup/pod.slice/app.scope/cgroup.controllers": "cpuset cpu pids\n", "sys/fs/cgroup/pod.slice/app.scope/memory.max": "<delete>"}),
			codes:  []limits.Code{limits.CodeControllerMissing, limits.CodeLimitInAncestor},
			memory: limits.Limited, cpu: limits.Limited,
			checkFn: func(t *testing.T, r limits.Result) {
				assert.Equal(t, "/pod.slice", r.Memory.Limit.Source)
			},
		},
		{
			name:   "no cgroup mounted",
			files:  v2Tree(map[string]string{"proc/self/mountinfo": "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"}),
			codes:  []limits.Code{limits.CodeNoCgroup},
			memory: limits.Unknown, cpu: limits.Unknown,
			checkFn: func(t *testing.T, r limits.Result) {
				assert.Equal(t, cgroup.ModeNone, r.Mode)
				assert.Equal(t, uint64(8000000*1024), r.Host.MemTotal)
			},
		},
		{
			name: "only a named hierarchy mounted (systemd-nspawn without systemd inside)",
			files: v2Tree(map[string]string{
				"proc/self/mountinfo": "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n" +
					"27 26 0:25 / /sys/fs/cgroup/systemd rw,nosuid - cgroup cgroup rw,xattr,name=systemd\n",
				"proc/self/cgroup": "1:name=systemd:/machine.slice/machine-c1.scope\n",
			}),
			codes:  []limits.Code{limits.CodeNoCgroup},
			memory: limits.Unknown, cpu: limits.Unknown,
			checkFn: func(t *testing.T, r limits.Result) {
				assert.Equal(t, cgroup.ModeNone, r.Mode)
				assert.Contains(t, r.Diagnostics[0].Message, "no cgroup controller hierarchy is mounted, only named ones (name=systemd)")
			},
		},
		{
			name:   "process outside the namespace",
			files:  v2Tree(map[string]string{"proc/self/cgroup": "0::/../../pod.slice\n"}),
			codes:  []limits.Code{limits.CodeCgroupUnreachable},
			memory: limits.Unknown, cpu: limits.Unknown,
			checkFn: func(t *testing.T, r limits.Result) {
				assert.Equal(t, cgroup.ModeV2, r.Mode)
				assert.Empty(t, r.Placements)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := limits.Detect(limits.WithRoot(writeTree(t, tt.files)))
			require.NoError(t, err)
			var codes []limits.Code
			for _, d := range res.Diagnostics {
				codes = append(codes, d.Code)
				assert.NotEmpty(t, d.Message)
			}
			assert.ElementsMatch(t, tt.codes, codes, "%+v", res.Diagnostics)
			assert.Equal(t, tt.memory, res.Memory.Limit.State, "memory")
			assert.Equal(t, tt.cpu, res.CPU.Limit.State, "cpu")
			if tt.checkFn != nil {
				tt.checkFn(t, res)
			}
		})
	}
}

func TestFatalInput(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		is    error
		as    any
	}{
		{"malformed mountinfo", v2Tree(map[string]string{"proc/self/mountinfo": "not a mountinfo line\n"}), cgroup.ErrSyntax, new(*cgroup.ParseError)},
		{"malformed cgroup line", v2Tree(map[string]string{"proc/self/cgroup": "0:/x\n"}), cgroup.ErrSyntax, new(*cgroup.ParseError)},
		{"no /proc/self/cgroup", v2Tree(map[string]string{"proc/self/cgroup": "<delete>"}), fs.ErrNotExist, new(*fs.PathError)},
		{"no mountinfo", v2Tree(map[string]string{"proc/self/mountinfo": "<delete>"}), fs.ErrNotExist, new(*fs.PathError)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := limits.Detect(limits.WithRoot(writeTree(t, tt.files)))
			var le *limits.Error
			require.ErrorAs(t, err, &le)
			assert.ErrorIs(t, err, tt.is)
			assert.ErrorAs(t, err, tt.as)
		})
	}
}

func TestForPIDRejectsInvalidPID(t *testing.T) {
	for _, pid := range []int{0, -1} {
		_, err := limits.ForPID(pid)
		assert.True(t, errors.Is(err, limits.ErrInvalidPID), "pid %d: %v", pid, err)
	}
}

// TestHugeCgroupPathsAreRejectedCheaply: a 64 KiB path from a caller, in
// either form, is a *CgroupPathError found before any work, allocating in
// proportion to the input at most (a slice name expands with its square: 64
// KiB of "a-" once built a 1 GB path). The two 64 KiB cases are measured
// with testing.Benchmark, whose cost the log line prints.
func TestHugeCgroupPathsAreRejectedCheaply(t *testing.T) {
	root := t.TempDir()
	for _, tc := range []struct {
		name    string
		path    string
		measure bool
	}{
		{"systemd slice of 64 KiB", strings.Repeat("a-", 32767) + "b.slice:p:n", true},
		{"cgroupfs path of 64 KiB", "/" + strings.Repeat("a/", 32<<10), true},
		{"systemd name of 64 KiB", "pod.slice:p:" + strings.Repeat("n", 64<<10), false},
		{"slice expanding past PATH_MAX", strings.Repeat("a-", 126) + "b.slice:p:n", false},
		{"relative path of 64 KiB", strings.Repeat("a", 64<<10), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := limits.ForCgroup(tc.path, limits.FormAuto, limits.WithRoot(root))
			require.ErrorIs(t, err, limits.ErrInvalidCgroupPath)
			assert.Less(t, len(err.Error()), 1024, "the error quotes a bounded part of the input")
			if !tc.measure {
				return
			}
			result := testing.Benchmark(func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					_, _ = limits.ForCgroup(tc.path, limits.FormAuto, limits.WithRoot(root))
				}
			})
			assert.Less(t, result.AllocedBytesPerOp(), int64(1<<20), "bytes allocated to reject it")
			t.Logf("%v/op, %d B/op, %d allocs/op: %v", time.Duration(result.NsPerOp()), result.AllocedBytesPerOp(), result.AllocsPerOp(), err)
		})
	}
}
