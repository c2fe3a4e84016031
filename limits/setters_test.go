package limits_test

import (
	"bytes"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/limits"
)

const (
	podLimitTree                = "../testdata/v2-k8s-systemd-pod-limit-leaf-max" // memory.max 2 GiB and 2 CPUs on the pod slice
	highTree                    = "../testdata/v2-systemd-service-allowedcpus"    // memory.max 1 GiB, memory.high 768 MiB
	noLimitTree                 = "../testdata/v2-dind-inner-container"           // nothing limited
	halfCPUTree                 = "../testdata/v1-docker-cgroupfs"                // 0.5 CPU
	privateNamespaceTree        = "../testdata/v2-docker-private-cgroupns"        // 512 MiB at the namespace's root
	podSlice                    = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod2d7d6742_06e6_4c5c_a405_5a05fa9b85a6.slice"
	hostMemTotal         uint64 = 8135212 * 1024 // MemTotal of noLimitTree's proc/meminfo
)

// hostFallbackLimit is 0.9 of hostMemTotal, rounded down as the setter does.
var hostFallbackLimit = func(total uint64) int64 { return int64(float64(total) * limits.DefaultMemoryRatio) }(hostMemTotal)

func TestSetGoMemLimit(t *testing.T) {
	tests := []struct {
		name    string
		tree    string
		env     map[string]string
		opts    []limits.MemoryOption
		changed bool
		value   int64 // when changed
		source  string
		reason  string // a part of the reason
	}{
		{name: "default ratio of the pod's limit", tree: podLimitTree, changed: true, value: 1932735283, source: podSlice},
		{name: "ratio option", tree: podLimitTree, opts: []limits.MemoryOption{limits.WithMemoryRatio(0.5)}, changed: true, value: 1 << 30, source: podSlice},
		{name: "the environment's ratio beats the option", tree: podLimitTree, env: map[string]string{"TRUELIMIT_MEMORY_RATIO": "0.75"},
			opts: []limits.MemoryOption{limits.WithMemoryRatio(0.5)}, changed: true, value: 1610612736, source: podSlice},
		{name: "an invalid ratio in the environment is reported", tree: podLimitTree, env: map[string]string{"TRUELIMIT_MEMORY_RATIO": "2"},
			opts: []limits.MemoryOption{limits.WithMemoryRatio(0.5)}, changed: true, value: 1 << 30, source: podSlice, reason: "TRUELIMIT_MEMORY_RATIO is not a number"},
		{name: "maximum", tree: podLimitTree, opts: []limits.MemoryOption{limits.WithMaxMemoryLimit(1 << 29)}, changed: true, value: 1 << 29, source: podSlice},
		{name: "minimum", tree: podLimitTree, opts: []limits.MemoryOption{limits.WithMinMemoryLimit(3 << 30)}, changed: true, value: 3 << 30, source: podSlice},
		{name: "memory.high below memory.max is the budget", tree: highTree, changed: true, value: 724775731,
			source: "/system.slice/render-worker.service", reason: "memory.high"},
		{name: "no limit: left alone", tree: noLimitTree, changed: false, reason: "no cgroup limits memory (unlimited, as far as visible (a hidden ancestor may set less)"},
		{name: "a limit at a top that hides its ancestors says so", tree: privateNamespaceTree, changed: true, value: 483183820,
			source: "/", reason: "bytes from /, as far as visible (a hidden ancestor may set less)"},
		{name: "no limit with the host fallback", tree: noLimitTree, opts: []limits.MemoryOption{limits.WithHostMemoryFallback()},
			changed: true, value: hostFallbackLimit, source: limits.SourceHost},
		{name: "GOMEMLIMIT in the environment stands", tree: podLimitTree, env: map[string]string{"GOMEMLIMIT": "1GiB"}, changed: false, reason: "GOMEMLIMIT=1GiB in the environment stands"},
		{name: "an invalid GOMEMLIMIT is ignored", tree: podLimitTree, env: map[string]string{"GOMEMLIMIT": "lots"}, changed: true, value: 1932735283, source: podSlice, reason: "invalid and ignored"},
		{name: "a signed GOMEMLIMIT stands, as the runtime reads it", tree: podLimitTree, env: map[string]string{"GOMEMLIMIT": "+1GiB"}, changed: false, reason: "GOMEMLIMIT=+1GiB in the environment stands"},
		{name: "a negative GOMEMLIMIT is invalid", tree: podLimitTree, env: map[string]string{"GOMEMLIMIT": "-1MiB"}, changed: true, value: 1932735283, source: podSlice, reason: "invalid and ignored"},
		{name: "a GOMEMLIMIT above MaxInt64 is invalid", tree: podLimitTree, env: map[string]string{"GOMEMLIMIT": "8388608TiB"}, changed: true, value: 1932735283, source: podSlice, reason: "invalid and ignored"},
		{name: "GOMEMLIMIT=off stands", tree: podLimitTree, env: map[string]string{"GOMEMLIMIT": "off"}, changed: false, reason: "GOMEMLIMIT=off in the environment stands"},
		{name: "TRUELIMIT=off beats everything", tree: podLimitTree, env: map[string]string{"TRUELIMIT": "off", "GOMEMLIMIT": "1GiB"}, changed: false, reason: "TRUELIMIT=off"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			before := debug.SetMemoryLimit(-1)
			s, undo, err := limits.SetGoMemLimit(append(tt.opts, limits.WithRoot(tt.tree))...)
			require.NoError(t, err)
			assert.Equal(t, "GOMEMLIMIT", s.Name)
			assert.Equal(t, before, s.Previous)
			assert.Equal(t, tt.changed, s.Changed, s.Reason)
			if tt.changed {
				assert.Equal(t, tt.value, s.Value)
				assert.Equal(t, tt.value, debug.SetMemoryLimit(-1), "the runtime's limit")
				assert.Equal(t, tt.source, s.Source)
			} else {
				assert.Equal(t, before, debug.SetMemoryLimit(-1), "unchanged")
			}
			assert.Contains(t, s.Reason, tt.reason)
			undo()
			assert.Equal(t, before, debug.SetMemoryLimit(-1), "undo restores the previous limit")
		})
	}
}

func TestSetGoMaxProcs(t *testing.T) {
	cpus := runtime.NumCPU()
	tests := []struct {
		name   string
		tree   string
		env    map[string]string
		opts   []limits.ProcsOption
		want   int // the policy's value before comparing with the runtime's
		set    bool
		reason string
	}{
		{name: "runtime policy: 0.5 CPU rounds up to 2", tree: halfCPUTree, want: min(2, cpus), set: true},
		{name: "round-down policy", tree: halfCPUTree, opts: []limits.ProcsOption{limits.WithRoundDown()}, want: 1, set: true},
		{name: "explicit minimum", tree: halfCPUTree, opts: []limits.ProcsOption{limits.WithRoundDown(), limits.WithMinProcs(3)}, want: min(3, cpus), set: true},
		{name: "no quota: left to the runtime", tree: noLimitTree, set: false, reason: "no CPU quota"},
		{name: "GOMAXPROCS in the environment stands", tree: halfCPUTree, env: map[string]string{"GOMAXPROCS": "3"}, set: false, reason: "GOMAXPROCS=3 in the environment stands"},
		{name: "an invalid GOMAXPROCS is ignored", tree: halfCPUTree, env: map[string]string{"GOMAXPROCS": "many"}, opts: []limits.ProcsOption{limits.WithRoundDown()},
			want: 1, set: true, reason: "invalid and ignored"},
		{name: "containermaxprocs=0 leaves it alone", tree: halfCPUTree, env: map[string]string{"GODEBUG": "madvdontneed=1,containermaxprocs=0"}, set: false, reason: "containermaxprocs=0"},
		{name: "a signed GOMAXPROCS stands, as the runtime reads it", tree: halfCPUTree, env: map[string]string{"GOMAXPROCS": "+3"}, set: false, reason: "GOMAXPROCS=+3 in the environment stands"},
		{name: "a GOMAXPROCS beyond 32 bits is invalid", tree: halfCPUTree, env: map[string]string{"GOMAXPROCS": "4294967296"}, opts: []limits.ProcsOption{limits.WithRoundDown()},
			want: 1, set: true, reason: "invalid and ignored"},
		{name: "the last containermaxprocs wins", tree: halfCPUTree, env: map[string]string{"GODEBUG": "containermaxprocs=0,containermaxprocs=1"}, opts: []limits.ProcsOption{limits.WithRoundDown()},
			want: 1, set: true},
		{name: "GODEBUG keys are taken verbatim, as the runtime takes them", tree: halfCPUTree, env: map[string]string{"GODEBUG": "madvdontneed=1, containermaxprocs=0"},
			opts: []limits.ProcsOption{limits.WithRoundDown()}, want: 1, set: true},
		{name: "TRUELIMIT=off beats everything", tree: halfCPUTree, env: map[string]string{"TRUELIMIT": "off"}, set: false, reason: "TRUELIMIT=off"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			before := runtime.GOMAXPROCS(0)
			s, undo, err := limits.SetGoMaxProcs(append(tt.opts, limits.WithRoot(tt.tree))...)
			require.NoError(t, err)
			assert.Equal(t, int64(before), s.Previous)
			assert.Contains(t, s.Reason, tt.reason)
			if tt.set {
				assert.Equal(t, int64(tt.want), s.Value)
				assert.Equal(t, tt.want, runtime.GOMAXPROCS(0))
				assert.Equal(t, tt.want != before, s.Changed, "changed only where the runtime chose otherwise")
				assert.NotEmpty(t, s.Source)
			} else {
				assert.False(t, s.Changed)
				assert.Equal(t, before, runtime.GOMAXPROCS(0))
			}
			undo()
			assert.Equal(t, before, runtime.GOMAXPROCS(0), "undo restores GOMAXPROCS")
		})
	}
}

// TestSettersAgreeWithDetect: on every testdata tree the setters' lean
// detection (no details) finds the same memory budget, CPU quota and sources
// as Detect's full one.
func TestSettersAgreeWithDetect(t *testing.T) {
	trees, err := filepath.Glob("../testdata/*/expected.json")
	require.NoError(t, err)
	require.NotEmpty(t, trees)
	for _, expected := range trees {
		tree := filepath.Dir(expected)
		t.Run(filepath.Base(tree), func(t *testing.T) {
			res, err := limits.Detect(limits.WithRoot(tree))
			require.NoError(t, err)

			mem, undoMem, err := limits.SetGoMemLimit(limits.WithRoot(tree))
			require.NoError(t, err)
			undoMem()
			budget, source := uint64(0), ""
			if l := res.Memory.Limit; l.State == limits.Limited {
				budget, source = l.Value, l.Source
			}
			if h := res.Memory.High; h.State == limits.Limited && (budget == 0 || h.Value < budget) {
				budget, source = h.Value, h.Source
			}
			if budget > 0 {
				assert.Equal(t, int64(float64(budget)*limits.DefaultMemoryRatio), mem.Value, mem.Reason)
				assert.Equal(t, source, mem.Source)
			} else {
				assert.False(t, mem.Changed, mem.Reason)
				assert.Contains(t, mem.Reason, "no cgroup limits memory")
			}

			procs, undoProcs, err := limits.SetGoMaxProcs(limits.WithRoot(tree), limits.WithRoundDown())
			require.NoError(t, err)
			undoProcs()
			if q := res.CPU.Limit; q.State == limits.Limited {
				assert.Equal(t, q.Source, procs.Source, procs.Reason)
			} else {
				assert.Contains(t, procs.Reason, "no CPU quota", procs.Reason)
			}
		})
	}
}

// TestSetGoLimitsDetectsOnce: the combined call reads mountinfo once for
// both values, decides as the two setters do alone, and its undo restores
// both.
func TestSetGoLimitsDetectsOnce(t *testing.T) {
	for _, tree := range []string{podLimitTree, halfCPUTree} {
		t.Run(filepath.Base(tree), func(t *testing.T) {
			memAlone, undoMem, err := limits.SetGoMemLimit(limits.WithRoot(tree))
			require.NoError(t, err)
			undoMem()
			procsAlone, undoProcs, err := limits.SetGoMaxProcs(limits.WithRoot(tree), limits.WithRoundDown())
			require.NoError(t, err)
			undoProcs()

			beforeMem, beforeProcs := debug.SetMemoryLimit(-1), runtime.GOMAXPROCS(0)
			mountinfo := 0
			stop := limits.TraceReads(func(p []byte) {
				if bytes.Contains(p, []byte("/mountinfo")) {
					mountinfo++
				}
			})
			mem, procs, undo, err := limits.SetGoLimits([]limits.MemoryOption{limits.WithRoot(tree)},
				[]limits.ProcsOption{limits.WithRoundDown()})
			stop()
			require.NoError(t, err)
			assert.Equal(t, 1, mountinfo, "one detection")
			assert.Equal(t, memAlone, mem)
			assert.Equal(t, procsAlone, procs)
			undo()
			assert.Equal(t, beforeMem, debug.SetMemoryLimit(-1), "undo restores GOMEMLIMIT")
			assert.Equal(t, beforeProcs, runtime.GOMAXPROCS(0), "undo restores GOMAXPROCS")
		})
	}
}
