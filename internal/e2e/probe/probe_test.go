package probe

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/limits"
)

// TestMainPrintsOneResultLine runs the probe on the machine running the
// tests: one line, the sentinel, then an Output whose answers are in the
// order of the flags.
func TestMainPrintsOneResultLine(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Main([]string{"-label", "here", "-forcgroup", "/a/../b", "-forpid", "not-a-pid", "-forpid", "1"}, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	line := stdout.String()
	require.True(t, strings.HasPrefix(line, Sentinel), line)
	require.Equal(t, 1, strings.Count(line, "\n"))
	var out Output
	require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(line, Sentinel)), &out))
	assert.Equal(t, "here", out.Label)
	assert.Equal(t, runtime.GOMAXPROCS(0), out.GOMAXPROCS)
	require.Len(t, out.ForCgroup, 1)
	assert.Equal(t, "/a/../b", out.ForCgroup[0].Query)
	assert.Contains(t, out.ForCgroup[0].Error, `".." component`, "ForCgroup refuses the path")
	assert.Nil(t, out.ForCgroup[0].Report)
	require.Len(t, out.ForPID, 2)
	assert.Equal(t, "not-a-pid", out.ForPID[0].Query)
	assert.NotEmpty(t, out.ForPID[0].Error)
	assert.Nil(t, out.ForPID[0].Target, "no process to look at")
	assert.Nil(t, out.ForCgroup[0].Target, "only ForPID answers have a target")
	if runtime.GOOS != "linux" {
		assert.NotEmpty(t, out.Detect.Error, "cgroups exist only on Linux")
		return
	}
	assert.Empty(t, out.Detect.Error)
	require.NotNil(t, out.Detect.Report)
	require.NotNil(t, out.Detect.Budget)
	assert.Contains(t, out.ProcSelfCgroup, ":")
	assert.True(t, strings.HasPrefix(out.CgroupNamespace, "cgroup:["), out.CgroupNamespace)
	assert.Empty(t, out.Problems)
	if out.ForPID[1].Error == "" {
		require.NotNil(t, out.ForPID[1].Target, "ForPID(1) looks at process 1")
		assert.Contains(t, out.ForPID[1].Target.ProcCgroup, ":")
	}
}

// TestMainRejectsBadArguments: no label, positional arguments, or -scan,
// which only MainWithScan has.
func TestMainRejectsBadArguments(t *testing.T) {
	for _, args := range [][]string{{}, {"-label", "x", "extra"}, {"-nosuchflag"}, {"-label", "x", "-scan", "/"}} {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, 2, Main(args, &stdout, &stderr), "%q", args)
		assert.Empty(t, stdout.String(), "%q", args)
	}
}

// TestMainUsageAndReads: with -usage the reports hold the usage (decoded
// strictly), and each -read file is read before and after the calls.
func TestMainUsageAndReads(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, []byte("some total=1\n"), 0o644))
	var stdout, stderr bytes.Buffer
	code := Main([]string{"-label", "u", "-usage", "-read", file, "-read", filepath.Join(dir, "absent"), "-forcgroup", "/"}, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	var out Output
	require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(stdout.String(), Sentinel)), &out))
	require.Len(t, out.Reads, 2)
	assert.Equal(t, Read{Path: file, Before: Contents{Text: "some total=1\n"}, After: Contents{Text: "some total=1\n"}}, out.Reads[0])
	assert.Contains(t, out.Reads[1].Before.Error, "no such file")
	assert.Contains(t, out.Reads[1].After.Error, "no such file")
	if runtime.GOOS != "linux" {
		return
	}
	require.Empty(t, out.Detect.Error)
	assert.NotNil(t, out.Detect.Report.Usage, "-usage: DetectUsage")
	require.Len(t, out.ForCgroup, 1)
	if out.ForCgroup[0].Error == "" {
		assert.NotNil(t, out.ForCgroup[0].Report.Usage, "-usage: ForCgroupUsage")
	}
}

// TestUsageDocHoldsEveryKey writes a Usage with every value known, every
// object present, through report.JSON and the probe's strict decoding: a key
// the e2e's copy of the schema lacks fails the decoding, and every value
// comes back.
func TestUsageDocHoldsEveryKey(t *testing.T) {
	n := func(v uint64) limits.Count { return limits.Count{Value: v, Known: true} }
	line := func(base float64, total uint64) limits.PressureLine {
		return limits.PressureLine{Avg10: base, Avg60: base + 0.5, Avg300: base + 0.25, TotalUsec: total}
	}
	full := func(base float64, total uint64) *limits.Pressure {
		l := line(base+1, total+1)
		return &limits.Pressure{Some: line(base, total), Full: &l}
	}
	u := limits.Usage{
		Memory: limits.MemoryUsage{
			Current: n(1), WorkingSet: n(2), Peak: n(3), Swap: n(4), Anon: n(5), File: n(6), Kernel: n(7),
			Sock: n(8), Shmem: n(9), InactiveFile: n(10),
			Headroom:     limits.Headroom{Known: true, Bytes: 11, Source: "/pod"},
			HighHeadroom: limits.Headroom{Known: true, Bytes: 12, Source: "/pod/high"},
			Events:       limits.MemoryEvents{High: n(13), Max: n(14), OOM: n(15), OOMKill: n(16)},
			LimitEvents: &limits.LimitEvents{Source: "/pod",
				MemoryEvents: limits.MemoryEvents{High: n(17), Max: n(18), OOM: n(19), OOMKill: n(20)}},
		},
		CPU: limits.CPUUsage{UsageUsec: n(21),
			Throttling: &limits.Throttling{Source: "/cpu", Periods: n(22), ThrottledPeriods: n(23), ThrottledUsec: n(24)}},
		Pids:     n(25),
		Pressure: limits.Pressures{Memory: full(26, 27), CPU: full(28, 29), IO: full(30, 31)},
	}
	a := answer("", true, nil, func() (limits.Result, limits.Usage, error) { return limits.Result{}, u, nil })
	require.Empty(t, a.Error)
	require.NotNil(t, a.Report.Usage)
	p := func(v uint64) *uint64 { return &v }
	s := func(v string) *string { return &v }
	pl := func(base float64, total uint64) *PressureDoc {
		return &PressureDoc{Some: PressureLineDoc{base, base + 0.5, base + 0.25, total},
			Full: &PressureLineDoc{base + 1, base + 1.5, base + 1.25, total + 1}}
	}
	assert.Equal(t, UsageDoc{
		Memory: MemoryUsageDoc{CurrentBytes: p(1), WorkingSetBytes: p(2), PeakBytes: p(3), SwapBytes: p(4),
			AnonBytes: p(5), FileBytes: p(6), KernelBytes: p(7), SockBytes: p(8), ShmemBytes: p(9),
			InactiveFileBytes: p(10), HeadroomBytes: p(11), HeadroomSource: s("/pod"),
			HighHeadroomBytes: p(12), HighHeadroomSource: s("/pod/high"),
			Events:      EventsDoc{High: p(13), Max: p(14), OOM: p(15), OOMKill: p(16)},
			LimitEvents: &LimitEventsDoc{Source: "/pod", EventsDoc: EventsDoc{High: p(17), Max: p(18), OOM: p(19), OOMKill: p(20)}}},
		CPU: CPUUsageDoc{UsageUs: p(21),
			Throttling: &ThrottlingDoc{Source: "/cpu", Periods: p(22), ThrottledPeriods: p(23), ThrottledUs: p(24)}},
		Pids:     PidsUsageDoc{Current: p(25)},
		Pressure: PressuresDoc{Memory: pl(26, 27), CPU: pl(28, 29), IO: pl(30, 31)},
	}, *a.Report.Usage)
}
