package limits_test

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

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
			opts: []limits.MemoryOption{limits.WithMemoryRatio(0.5)}, changed: true, value: 1 << 30, source: podSlice, reason: "TRUELIMIT_MEMORY_RATIO is not a decimal number in (0, 1]"},
		{name: "a ratio with an exponent is refused and reported", tree: podLimitTree, env: map[string]string{"TRUELIMIT_MEMORY_RATIO": "75e-2"},
			opts: []limits.MemoryOption{limits.WithMemoryRatio(0.5)}, changed: true, value: 1 << 30, source: podSlice, reason: "TRUELIMIT_MEMORY_RATIO is not a decimal number in (0, 1]"},
		{name: "maximum", tree: podLimitTree, opts: []limits.MemoryOption{limits.WithMaxMemoryLimit(1 << 29)}, changed: true, value: 1 << 29, source: podSlice},
		{name: "a minimum above the limit stops at the limit", tree: podLimitTree, opts: []limits.MemoryOption{limits.WithMinMemoryLimit(3 << 30)}, changed: true,
			value: 2 << 30, source: podSlice, reason: "raised to the minimum 3221225472 bytes, but not above the hard limit 2147483648 bytes"},
		{name: "minimum", tree: podLimitTree, opts: []limits.MemoryOption{limits.WithMinMemoryLimit(2000 << 20)}, changed: true, value: 2000 << 20, source: podSlice},
		{name: "memory.high below memory.max is the budget", tree: highTree, changed: true, value: 724775731,
			source: "/system.slice/render-worker.service", reason: "memory.high 805306368 bytes from /system.slice/render-worker.service (the kernel throttles above it; Kubernetes MemoryQoS sets it below the limit)"},
		{name: "Kubernetes MemoryQoS: memory.high below the container's limit", tree: "../testdata/v2-k8s-memoryqos-high-below-max", changed: true, value: 918046310,
			source: "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pode5b50629_d39d_48e4_8c5c_57762d531a01.slice/cri-containerd-381b949609105656965903bf6e304cf9ebcd0804fb3dcb24b173d21070307f6e.scope",
			reason: "0.9 of memory.high 1020051456 bytes from"},
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
		{name: "updatemaxprocs=0: set once", tree: halfCPUTree, env: map[string]string{"GODEBUG": "updatemaxprocs=0"}, opts: []limits.ProcsOption{limits.WithRoundDown()},
			want: 1, set: true, reason: "GODEBUG=updatemaxprocs=0: set once; GOMAXPROCS set to 1"},
		{name: "the last updatemaxprocs wins", tree: halfCPUTree, env: map[string]string{"GODEBUG": "updatemaxprocs=0,updatemaxprocs=1"}, opts: []limits.ProcsOption{limits.WithRoundDown()},
			want: 1, set: true},
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
			if t := res.Host.MemTotal; budget > 0 && t > 0 && t < budget {
				budget, source = t, limits.SourceHost
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

// TestSetGoMemLimitCapsAndReserve: the rows of the precedence for the caps
// (the host's MemTotal, RLIMIT_AS and RLIMIT_DATA below a cgroup budget),
// the reserve and the minimum against the hard limit, on a pod of 512 MiB
// whose host has 8 GB unless a case says otherwise.
func TestSetGoMemLimitCapsAndReserve(t *testing.T) {
	const (
		pod      = 512 << 20
		meminfo  = "proc/meminfo"
		podMax   = "sys/fs/cgroup/pod.slice/memory.max"
		leafHigh = "sys/fs/cgroup/pod.slice/app.scope/memory.high"
	)
	mib := func(n uint64) string { return strconv.FormatUint(n<<10, 10) } // MiB in meminfo's kB
	tests := []struct {
		name      string
		files     map[string]string
		as, data  uint64
		env       map[string]string
		opts      []limits.MemoryOption
		value     int64 // 0: left alone
		source    string
		reasons   []string
		notReason string
	}{
		{name: "no cap below the pod", value: pod * 9 / 10, source: "/pod.slice", notReason: "capping"},
		{name: "MemTotal below the pod", files: map[string]string{meminfo: "MemTotal: " + mib(256) + " kB\n"},
			value: 241591910, source: limits.SourceHost, reasons: []string{"0.9 of the host's MemTotal 268435456 bytes from host, capping the memory limit 536870912 bytes from /pod.slice"}},
		{name: "MemTotal below memory.high", files: map[string]string{meminfo: "MemTotal: " + mib(256) + " kB\n", leafHigh: "419430400\n"},
			value: 241591910, source: limits.SourceHost, reasons: []string{"capping memory.high 419430400 bytes from /pod.slice/app.scope"}},
		{name: "RLIMIT_DATA below the pod", data: 128 << 20, value: 120795955, source: limits.SourceRlimitData,
			reasons: []string{"0.9 of the soft limit 134217728 bytes from RLIMIT_DATA, capping the memory limit 536870912 bytes from /pod.slice"}},
		{name: "RLIMIT_AS below MemTotal below the pod: both named", files: map[string]string{meminfo: "MemTotal: " + mib(400) + " kB\n"}, as: 300 << 20,
			value: 283115520, source: limits.SourceRlimitAS,
			reasons: []string{"the soft limit 314572800 bytes from RLIMIT_AS, capping the host's MemTotal 419430400 bytes from host, capping the memory limit"}},
		{name: "an RLIMIT above the pod is no cap", as: 1 << 30, data: 1 << 30, value: pod * 9 / 10, source: "/pod.slice", notReason: "RLIMIT"},
		{name: "an RLIMIT alone sets nothing", files: map[string]string{podMax: "max\n"}, data: 128 << 20, reasons: []string{"no cgroup limits memory"}},
		{name: "the host fallback is not capped by an RLIMIT", files: map[string]string{podMax: "max\n"}, data: 128 << 20,
			opts: []limits.MemoryOption{limits.WithHostMemoryFallback()}, value: 7372800000, source: limits.SourceHost},
		{name: "a reserve below the ratio's share", opts: []limits.MemoryOption{limits.WithMemoryReserve(100 << 20)},
			value: pod - 100<<20, source: "/pod.slice", reasons: []string{"104857600 bytes (the reserve) less than the memory limit 536870912 bytes from /pod.slice"}},
		{name: "a small reserve: the ratio is lower", opts: []limits.MemoryOption{limits.WithMemoryReserve(10 << 20)}, value: pod * 9 / 10, source: "/pod.slice"},
		{name: "the environment's reserve beats the option", env: map[string]string{"TRUELIMIT_MEMORY_RESERVE": "100MiB"},
			opts: []limits.MemoryOption{limits.WithMemoryReserve(10 << 20)}, value: pod - 100<<20, source: "/pod.slice"},
		{name: "an invalid reserve in the environment is reported", env: map[string]string{"TRUELIMIT_MEMORY_RESERVE": "100M"},
			opts: []limits.MemoryOption{limits.WithMemoryReserve(10 << 20)}, value: pod * 9 / 10, source: "/pod.slice",
			reasons: []string{`TRUELIMIT_MEMORY_RESERVE is not a byte count`}},
		{name: "a reserve of the whole budget leaves it alone", opts: []limits.MemoryOption{limits.WithMemoryReserve(pod)},
			reasons: []string{"leaves nothing: GOMEMLIMIT left as it was"}},
		{name: "a reserve of the capped budget", files: map[string]string{meminfo: "MemTotal: " + mib(256) + " kB\n"},
			opts: []limits.MemoryOption{limits.WithMemoryReserve(100 << 20)}, value: 156 << 20, source: limits.SourceHost,
			reasons: []string{"(the reserve) less than the host's MemTotal 268435456 bytes from host, capping"}},
		{name: "a minimum between memory.high and the limit applies", files: map[string]string{leafHigh: "268435456\n"},
			opts: []limits.MemoryOption{limits.WithMinMemoryLimit(300 << 20)}, value: 300 << 20, source: "/pod.slice/app.scope"},
		{name: "a minimum above MemTotal stops at MemTotal", files: map[string]string{meminfo: "MemTotal: " + mib(256) + " kB\n"},
			opts: []limits.MemoryOption{limits.WithMinMemoryLimit(400 << 20)}, value: 256 << 20, source: limits.SourceHost,
			reasons: []string{"but not above the hard limit 268435456 bytes"}},
		{name: "a minimum above an RLIMIT stops at it", data: 200 << 20,
			opts: []limits.MemoryOption{limits.WithMinMemoryLimit(400 << 20)}, value: 200 << 20, source: limits.SourceRlimitData},
		{name: "a minimum above the host fallback stops at MemTotal", files: map[string]string{podMax: "max\n"},
			opts: []limits.MemoryOption{limits.WithHostMemoryFallback(), limits.WithMinMemoryLimit(16 << 30)}, value: 8192000000, source: limits.SourceHost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			defer limits.SetRlimits(tt.as, tt.data)()
			root := writeTree(t, v2Tree(tt.files))
			before := debug.SetMemoryLimit(-1)
			s, undo, err := limits.SetGoMemLimit(append(tt.opts, limits.WithRoot(root))...)
			require.NoError(t, err)
			defer undo()
			if tt.value == 0 {
				assert.False(t, s.Changed, s.Reason)
				assert.Equal(t, before, debug.SetMemoryLimit(-1))
			} else {
				assert.Equal(t, tt.value, s.Value, s.Reason)
				assert.Equal(t, tt.value, debug.SetMemoryLimit(-1))
				assert.Equal(t, tt.source, s.Source)
			}
			for _, r := range tt.reasons {
				assert.Contains(t, s.Reason, r)
			}
			if tt.notReason != "" {
				assert.NotContains(t, s.Reason, tt.notReason)
			}
		})
	}
}

// sharedTree is v2Tree with the pod's limit at 256 MiB and memory.current
// files: the pod uses podMiB, of which the process's own cgroup ownMiB.
func sharedTree(podMiB, ownMiB uint64) map[string]string {
	return v2Tree(map[string]string{
		"sys/fs/cgroup/pod.slice/memory.max":               "268435456\n",
		"sys/fs/cgroup/pod.slice/memory.current":           strconv.FormatUint(podMiB<<20, 10) + "\n",
		"sys/fs/cgroup/pod.slice/app.scope/memory.current": strconv.FormatUint(ownMiB<<20, 10) + "\n",
	})
}

// TestSetGoMemLimitShared: the shared-limit policy's rows, on a pod of
// 256 MiB whose other cgroups use what the pod uses beyond the process's
// own cgroup, turned on by the option or TRUELIMIT_MEMORY_SHARED; off, the
// Reason says shared-limit where the others use a tenth of the limit or
// more.
func TestSetGoMemLimitShared(t *testing.T) {
	shared := limits.WithSharedMemoryLimit()
	const note = "; shared-limit: the other cgroups below /pod.slice use 104857600 bytes of its limit 268435456 bytes, " +
		"which GOMEMLIMIT does not leave out (TRUELIMIT_MEMORY_SHARED=1 or WithSharedMemoryLimit would)"
	const policy = "0.9 of the memory limit 268435456 bytes less the other cgroups' usage 104857600 bytes " +
		"(shared-limit policy, dead-band 16777216 bytes), that is 163577856 bytes from /pod.slice"
	tests := []struct {
		name   string
		files  map[string]string
		env    map[string]string
		opts   []limits.MemoryOption
		value  int64
		reason string
		// noNote: the Reason says nothing of shared-limit.
		noNote bool
	}{
		{name: "off: the pod's limit, and shared-limit said", files: sharedTree(150, 50), value: 241591910,
			reason: "0.9 of the memory limit 268435456 bytes from /pod.slice" + note},
		{name: "off: others under a tenth of the limit go unsaid", files: sharedTree(70, 50), value: 241591910, noNote: true},
		{name: "the others' 100 MiB are left out", files: sharedTree(150, 50), opts: []limits.MemoryOption{shared}, value: 147220070, // 0.9 of 156 MiB
			reason: policy, noNote: true},
		{name: "TRUELIMIT_MEMORY_SHARED=1 turns the policy on", files: sharedTree(150, 50), env: map[string]string{"TRUELIMIT_MEMORY_SHARED": "1"},
			value: 147220070, reason: policy, noNote: true},
		{name: "TRUELIMIT_MEMORY_SHARED=0 turns the option off", files: sharedTree(150, 50), env: map[string]string{"TRUELIMIT_MEMORY_SHARED": "0"},
			opts: []limits.MemoryOption{shared}, value: 241591910, reason: note},
		{name: "an invalid TRUELIMIT_MEMORY_SHARED is reported; the option stands", files: sharedTree(150, 50),
			env: map[string]string{"TRUELIMIT_MEMORY_SHARED": "yes"}, opts: []limits.MemoryOption{shared}, value: 147220070,
			reason: "TRUELIMIT_MEMORY_SHARED is not 1 or 0 and is ignored; GOMEMLIMIT set to 147220070 bytes: " + policy},
		{name: "no others", files: sharedTree(50, 50), opts: []limits.MemoryOption{shared}, value: 241591910},
		{name: "the reserve applies to the shared budget", files: sharedTree(150, 50), opts: []limits.MemoryOption{shared, limits.WithMemoryReserve(100 << 20)},
			value: 56 << 20, reason: "104857600 bytes (the reserve) less than the memory limit 268435456 bytes less"},
		{name: "MemTotal caps the shared budget", files: overridden(sharedTree(150, 50), map[string]string{"proc/meminfo": "MemTotal: 102400 kB\n"}),
			opts: []limits.MemoryOption{shared}, value: 94371840, reason: "0.9 of the host's MemTotal 104857600 bytes from host, capping the memory limit 268435456 bytes less"},
		{name: "an unreadable usage: the pod's limit", files: overridden(sharedTree(150, 50), map[string]string{"sys/fs/cgroup/pod.slice/memory.current": "<delete>"}),
			opts: []limits.MemoryOption{shared}, value: 241591910, reason: "0.9 of the memory limit 268435456 bytes from /pod.slice", noNote: true},
		{name: "off, an unreadable usage: nothing said", files: overridden(sharedTree(150, 50), map[string]string{"sys/fs/cgroup/pod.slice/memory.current": "<delete>"}),
			value: 241591910, noNote: true},
		{name: "a limit on the process's own cgroup is not shared", files: overridden(sharedTree(150, 50), map[string]string{"sys/fs/cgroup/pod.slice/app.scope/memory.max": "134217728\n"}),
			opts: []limits.MemoryOption{shared}, value: 120795955, reason: "0.9 of the memory limit 134217728 bytes from /pod.slice/app.scope", noNote: true},
		{name: "off, a limit on the process's own cgroup: nothing said", files: overridden(sharedTree(150, 50), map[string]string{"sys/fs/cgroup/pod.slice/app.scope/memory.max": "134217728\n"}),
			value: 120795955, noNote: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			root := writeTree(t, tt.files)
			s, undo, err := limits.SetGoMemLimit(append(tt.opts, limits.WithRoot(root))...)
			require.NoError(t, err)
			defer undo()
			assert.Equal(t, tt.value, s.Value, s.Reason)
			assert.Contains(t, s.Reason, tt.reason)
			if tt.noNote {
				assert.NotContains(t, s.Reason, "shared-limit:", "no note")
			}
		})
	}
}

// TestPlanGoLimitsKeepsNoFileOpen: with WithRefresh among its options,
// PlanGoLimits leaves no file of the tree open (/proc/self/fd), since no
// refresh loop will read it.
func TestPlanGoLimitsKeepsNoFileOpen(t *testing.T) {
	root := writeTree(t, sharedTree(150, 50))
	openUnder := func() (n int) {
		fds, err := os.ReadDir("/proc/self/fd")
		require.NoError(t, err)
		for _, fd := range fds {
			if target, err := os.Readlink("/proc/self/fd/" + fd.Name()); err == nil && strings.HasPrefix(target, root) {
				n++
			}
		}
		return n
	}
	_, _, err := limits.PlanGoLimits([]limits.MemoryOption{limits.WithRoot(root), limits.WithRefresh(time.Hour)}, nil)
	require.NoError(t, err)
	assert.Zero(t, openUnder(), "files of the tree left open")
	_, undo, err := limits.SetGoMemLimit(limits.WithRoot(root), limits.WithRefresh(time.Hour))
	require.NoError(t, err)
	assert.NotZero(t, openUnder(), "the check sees what a refresh loop keeps open")
	undo()
}

// TestPlanGoLimitsEqualsSetGoLimits: on every testdata tree, under each row
// of the environment's precedence that plans differently, PlanGoLimits
// returns the Settings SetGoLimits then decides, and changes neither value.
func TestPlanGoLimitsEqualsSetGoLimits(t *testing.T) {
	trees, err := filepath.Glob("../testdata/*/expected.json")
	require.NoError(t, err)
	require.NotEmpty(t, trees)
	envs := []map[string]string{
		{},
		{"TRUELIMIT_MEMORY_RATIO": "0.5", "TRUELIMIT_MEMORY_RESERVE": "64MiB"},
		{"TRUELIMIT_MEMORY_SHARED": "1"},
		{"GOMEMLIMIT": "300MiB", "GOMAXPROCS": "3"},
		{"GOMAXPROCS": "zero", "GODEBUG": "updatemaxprocs=0"},
		{"GODEBUG": "containermaxprocs=0"},
		{"TRUELIMIT": "off"},
	}
	for _, expected := range trees {
		tree := filepath.Dir(expected)
		for i, env := range envs {
			t.Run(filepath.Base(tree)+"/"+strconv.Itoa(i), func(t *testing.T) {
				for k, v := range env {
					t.Setenv(k, v)
				}
				mem := []limits.MemoryOption{limits.WithRoot(tree), limits.WithMemoryReserve(32 << 20)}
				procs := []limits.ProcsOption{limits.WithRoundDown()}
				beforeMem, beforeProcs := debug.SetMemoryLimit(-1), runtime.GOMAXPROCS(0)
				planMem, planProcs, err := limits.PlanGoLimits(mem, procs)
				require.NoError(t, err)
				assert.Equal(t, beforeMem, debug.SetMemoryLimit(-1), "the plan changes no GOMEMLIMIT")
				assert.Equal(t, beforeProcs, runtime.GOMAXPROCS(0), "the plan changes no GOMAXPROCS")

				setMem, setProcs, undo, err := limits.SetGoLimits(mem, procs)
				require.NoError(t, err)
				undo()
				assert.Equal(t, setMem, planMem)
				assert.Equal(t, setProcs, planProcs)
				assert.NotEmpty(t, planMem.Reason)
				assert.NotEmpty(t, planProcs.Reason)
			})
		}
	}
}
