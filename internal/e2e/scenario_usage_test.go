//go:build e2e

package e2e

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/e2e/probe"
)

// uidD is the fourth pod of the usage scenario.
var uidD = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"

// usageScenario is issue 12's usage on cgroup v2: four pods of kubelet's
// shape, each with what makes one value move, read by vmprobe -usage
// (DetectUsage, ForCgroupUsage) while cmd/vmhog loads them:
//
//   - events: a pod of 32 MiB (memory.high 31 MiB) whose app grows until the
//     OOM killer ends it, beside a sidecar holding 4 MiB;
//   - headroom: a pod of 64 MiB (memory.high 56 MiB) whose app holds 32 MiB
//     and whose sidecar holds 12 MiB, more than a tenth of the limit;
//   - pressure: a pod whose app holds 48 MiB and churns more after the pod's
//     memory.high drops to 32 MiB, so that each new charge is reclaimed and
//     throttled;
//   - throttling: a busy loop under a 0.2-CPU pod quota.
//
// It boots with psi=1: Debian's cloud kernels enable PSI anyway
// (CONFIG_PSI_DEFAULT_DISABLED is not set in 6.1 nor 6.12), and psi=1
// makes the boot the same on a kernel that defaults it off.
//
// memory.events: cgroup2 is mounted here without options (the guest's
// mountinfo says "cgroup2 cgroup2 rw", checked below), so not with
// memory_localevents, and since 5.2 every event counts in the cgroup where it
// happens and in all its ancestors (memcg_memory_event walks up;
// Documentation/admin-guide/cgroup-v2.rst: memory.events "are
// hierarchical", memory.events.local "local to the cgroup"). max and oom
// happen at the cgroup whose limit was hit, the pod, and do not propagate
// down: the app's max and oom stay 0. oom_kill is counted at the victim's
// cgroup, the app, and propagates up: the app's and the pod's are >= 1 (the
// pod's memory.events.local has oom_kill 0). high is counted at the pod,
// whose memory.high the app crossed.
func usageScenario(kernel string) scenario {
	m := machine{kernel: kernel, cmdline: "psi=1"}
	_, podE := podSlice("burstable", uidA)
	_, podH := podSlice("burstable", uidB)
	_, podP := podSlice("burstable", uidC)
	_, podT := podSlice("burstable", uidD)
	ctr := func(pod, id string) string { return pod + "/cri-containerd-" + id + ".scope" }
	eApp, eSide := ctr(podE, idA), ctr(podE, idB)
	hApp, hSide := ctr(podH, idA), ctr(podH, idB)
	pApp, tApp := ctr(podP, idC), ctr(podT, idD)
	script := shellVars("POD_E", podE, "E_APP", eApp, "E_SIDE", eSide, "POD_H", podH, "H_APP", hApp, "H_SIDE", hSide,
		"POD_P", podP, "P_APP", pApp, "POD_T", podT, "T_APP", tApp) + `
# The OOM killer's lines would garble the result lines on the console.
dmesg -n 1
mount -t cgroup2 cgroup2 $cg
for c in "$E_APP" "$E_SIDE" "$H_APP" "$H_SIDE" "$P_APP" "$T_APP"; do
	v2_tree "$c" "+memory +cpu +pids"
done

# memory.high is 31 of 32 MiB: the app crosses it on its way to the limit,
# and the kernel's throttling above memory.high, which grows with the square
# of the overage, stays short (it took 2 s with 60 of 64 MiB).
echo 33554432 > "$cg$POD_E/memory.max"
echo 32505856 > "$cg$POD_E/memory.high"
run_in "$cg$E_SIDE" vmhog hold 4 /tmp/e-side.ready &
wait_file /tmp/e-side.ready
run_in "$cg$E_APP" vmhog grow &
if wait $!; then
	echo "vmhog grow was not killed"
	exit 1
fi
run_in "$cg$E_APP" vmprobe -label usage-events -usage -forcgroup "$E_SIDE" \
	-read "$cg$E_APP/memory.events.local" -read "$cg$POD_E/memory.events.local"
echo 1 > "$cg$POD_E/cgroup.kill"

echo 67108864 > "$cg$POD_H/memory.max"
echo 58720256 > "$cg$POD_H/memory.high"
run_in "$cg$H_APP" vmhog hold 32 /tmp/h-app.ready &
run_in "$cg$H_SIDE" vmhog hold 12 /tmp/h-side.ready &
wait_file /tmp/h-app.ready
wait_file /tmp/h-side.ready
vmprobe -label usage-headroom -usage -forcgroup "$H_APP" -read "$cg$POD_H/memory.current"
echo 1 > "$cg$POD_H/cgroup.kill"

# A polled sample beside its pread baseline on real cgroup2 files (issue 12,
# item 10): the benchmark polls its own cgroup, the emptied app of this pod,
# given a CPU quota too wide to throttle so that its files are read as well.
echo "400000 100000" > "$cg$POD_H/cpu.max"
run_in "$cg$H_APP" limits.test -test.run '^$' -test.bench '^BenchmarkUsagePollOverPread$/^host$' \
	-test.benchtime 1000x -test.count 3 > /tmp/pollbench.txt 2>&1
vmprobe -label usage-pollbench -read /tmp/pollbench.txt
echo max > "$cg$POD_H/cpu.max"

# The app holds 48 MiB before memory.high drops below it: from then on each
# charge is over memory.high, reclaimed in vain (no swap) and throttled, the
# allocator sleeping in a memory stall.
echo 134217728 > "$cg$POD_P/memory.max"
run_in "$cg$P_APP" vmhog churn 48 /tmp/p-app.ready &
wait_file /tmp/p-app.ready
cat "$cg$P_APP/memory.pressure" > /tmp/p-app.pressure-before
echo 33554432 > "$cg$POD_P/memory.high"
sleep 1
vmprobe -label usage-pressure -usage -forcgroup "$P_APP" \
	-read /tmp/p-app.pressure-before -read "$cg$P_APP/memory.pressure"
echo 1 > "$cg$POD_P/cgroup.kill"

echo "20000 100000" > "$cg$POD_T/cpu.max"
run_in "$cg$T_APP" sh -c 'while :; do :; done' &
sleep 1
vmprobe -label usage-throttling -usage -forcgroup "$T_APP"
echo 1 > "$cg$POD_T/cgroup.kill"
`
	return scenario{
		name:    "usage-" + kernel,
		machine: m,
		image: func(t *testing.T) string {
			return busyboxImage(t, script, func(img *initramfs) {
				if err := img.copy("e2e/"+limitsTest, filepath.Join(vm.bin, limitsTest)); err != nil {
					t.Fatal(err)
				}
			})
		},
		checks: []check{
			{"usage-pollbench", func(t *testing.T, out probe.Output) {
				// Reported, not asserted: a timing is a benchmark's, and
				// the guest's CPU is emulated.
				text := readOf(t, out, "/tmp/pollbench.txt").After.Text
				ratios := pollRatios(t, text)
				require.Len(t, ratios, 3, "three runs of the benchmark:\n%s", text)
				t.Logf("polled sample over its pread baseline on %s's cgroup2: %v\n%s", kernel, ratios, text)
			}},
			{"usage-events", func(t *testing.T, out probe.Output) {
				assert.Equal(t, "0::"+eApp+"\n", out.ProcSelfCgroup)
				require.Len(t, out.CgroupMounts, 1)
				assert.True(t, strings.HasSuffix(out.CgroupMounts[0], " - cgroup2 cgroup2 rw"),
					"cgroup2 mounted without memory_localevents: %q", out.CgroupMounts[0])
				app := usageOf(t, out.Detect)
				assertMemoryLimit(t, out.Detect, 32*mib, podE)
				assertPressure(t, app)
				e := app.Memory.Events
				assert.Equal(t, u64(0), e.High, "the app has no memory.high; the pod's does not propagate down")
				assert.Equal(t, u64(0), e.Max, "the limit hit is the pod's")
				assert.Equal(t, u64(0), e.OOM, "the OOM is the pod's")
				assert.GreaterOrEqual(t, known(t, e.OOMKill, "app oom_kill"), uint64(1), "the victim was in the app")
				if assert.NotNil(t, app.Memory.LimitEvents, "the pod sets the limit") {
					l := app.Memory.LimitEvents
					assert.Equal(t, podE, l.Source)
					assert.Greater(t, known(t, l.High, "pod high"), uint64(0), "the app crossed the pod's memory.high")
					assert.Greater(t, known(t, l.Max, "pod max"), uint64(0))
					assert.GreaterOrEqual(t, known(t, l.OOM, "pod oom"), uint64(1))
					assert.GreaterOrEqual(t, known(t, l.OOMKill, "pod oom_kill"), uint64(1), "hierarchical: the app's kill counts here")
				}
				// memory.events.local: what counted at each level itself.
				appLocal := readOf(t, out, "/sys/fs/cgroup"+eApp+"/memory.events.local").After.Text
				podLocal := readOf(t, out, "/sys/fs/cgroup"+podE+"/memory.events.local").After.Text
				assert.Equal(t, map[string]uint64{"max": 0, "oom": 0}, eventCounts(t, appLocal, "max", "oom"))
				assert.Equal(t, eventCount(t, appLocal, "oom_kill"), known(t, e.OOMKill, "app oom_kill"), "all the app's kills are its own")
				assert.Greater(t, eventCount(t, podLocal, "max"), uint64(0))
				assert.GreaterOrEqual(t, eventCount(t, podLocal, "oom"), uint64(1))
				assert.Equal(t, uint64(0), eventCount(t, podLocal, "oom_kill"), "the pod's own: no victim was in it")

				require.Len(t, out.ForCgroup, 1)
				side := usageOf(t, out.ForCgroup[0])
				assert.Equal(t, probe.EventsDoc{High: u64(0), Max: u64(0), OOM: u64(0), OOMKill: u64(0)}, side.Memory.Events,
					"events propagate up, not to siblings")
				if assert.NotNil(t, side.Memory.LimitEvents) {
					assert.Equal(t, podE, side.Memory.LimitEvents.Source)
					assert.GreaterOrEqual(t, known(t, side.Memory.LimitEvents.OOMKill, "pod oom_kill"), uint64(1))
				}
			}},
			{"usage-headroom", func(t *testing.T, out probe.Output) {
				require.Len(t, out.ForCgroup, 1)
				a := out.ForCgroup[0]
				u := usageOf(t, a)
				assertMemoryLimit(t, a, 64*mib, podH)
				assertPressure(t, u)
				podCurrent := readOf(t, out, "/sys/fs/cgroup"+podH+"/memory.current")
				// Both the pod's limit and its memory.high bind at the pod:
				// its usage holds the sidecar's 12 MiB.
				assertRoomAt(t, u.Memory.HeadroomBytes, u.Memory.HeadroomSource, 64*mib, podH, podCurrent)
				assertRoomAt(t, u.Memory.HighHeadroomBytes, u.Memory.HighHeadroomSource, 56*mib, podH, podCurrent)
				assert.Contains(t, codesOf(a), "shared-limit", "the sidecar uses 12 MiB of 64")
				current := known(t, u.Memory.CurrentBytes, "current")
				assert.GreaterOrEqual(t, current, uint64(32*mib), "the app's own usage")
				assert.Less(t, current, parseUint(t, podCurrent.Before.Text), "the pod's holds the sidecar's")
				assert.LessOrEqual(t, known(t, u.Memory.WorkingSetBytes, "working set"), current)
				assert.GreaterOrEqual(t, known(t, u.Memory.AnonBytes, "anon"), uint64(32*mib))
				zero := probe.EventsDoc{High: u64(0), Max: u64(0), OOM: u64(0), OOMKill: u64(0)}
				assert.Equal(t, zero, u.Memory.Events)
				assert.Equal(t, &probe.LimitEventsDoc{Source: podH, EventsDoc: zero}, u.Memory.LimitEvents)
				assert.GreaterOrEqual(t, known(t, u.Pids.Current, "pids.current"), uint64(1), "vmhog's threads")
				assert.Nil(t, u.CPU.Throttling, "no CPU limit")
			}},
			{"usage-pressure", func(t *testing.T, out probe.Output) {
				require.Len(t, out.ForCgroup, 1)
				a := out.ForCgroup[0]
				u := usageOf(t, a)
				assertPressure(t, u)
				if u.Pressure.Memory == nil {
					return
				}
				got := u.Pressure.Memory.Some.TotalUs
				beforeChurn := psiTotal(t, readOf(t, out, "/tmp/p-app.pressure-before").After.Text)
				around := readOf(t, out, "/sys/fs/cgroup"+pApp+"/memory.pressure")
				assert.Greater(t, got, beforeChurn, "the stall grew while the app churned above memory.high")
				assert.GreaterOrEqual(t, got, psiTotal(t, around.Before.Text), "read just before the call")
				assert.LessOrEqual(t, got, psiTotal(t, around.After.Text), "read just after the call")
				assert.Equal(t, u64(0), u.Memory.HighHeadroomBytes, "over memory.high: clamped at 0")
				assert.Equal(t, str(podP), u.Memory.HighHeadroomSource)
				if assert.NotNil(t, u.Memory.LimitEvents) {
					assert.Equal(t, podP, u.Memory.LimitEvents.Source)
					assert.Greater(t, known(t, u.Memory.LimitEvents.High, "pod high"), uint64(0), "throttled at the pod's memory.high")
				}
			}},
			{"usage-throttling", func(t *testing.T, out probe.Output) {
				require.Len(t, out.ForCgroup, 1)
				a := out.ForCgroup[0]
				u := usageOf(t, a)
				require.NotNil(t, a.Report)
				if assert.NotNil(t, a.Report.CPU.Limit) {
					assert.Equal(t, 0.2, *a.Report.CPU.Limit)
				}
				assertPressure(t, u)
				assert.Greater(t, known(t, u.CPU.UsageUs, "usage_us"), uint64(0), "the loop ran")
				if assert.NotNil(t, u.CPU.Throttling, "the CPU is limited") {
					th := u.CPU.Throttling
					assert.Equal(t, podT, th.Source, "read at the pod, which sets the quota")
					periods := known(t, th.Periods, "periods")
					throttled := known(t, th.ThrottledPeriods, "throttled periods")
					assert.Greater(t, throttled, uint64(0))
					assert.LessOrEqual(t, throttled, periods)
					assert.Greater(t, known(t, th.ThrottledUs, "throttled_us"), uint64(0))
				}
			}},
		},
	}
}

// usagePSIOffScenario boots 6.1 with psi=0: since 6.1 the kernel then
// creates no PSI files (cgroup nor /proc/pressure), and the usage's pressure
// is null while every other value is read as with PSI.
func usagePSIOffScenario() scenario {
	m := machine{kernel: "6.1", cmdline: "psi=0"}
	_, pod := podSlice("burstable", uidA)
	app := pod + "/cri-containerd-" + idA + ".scope"
	script := shellVars("POD", pod, "APP", app) + `
mount -t cgroup2 cgroup2 $cg
v2_tree "$APP" "+memory +cpu +pids"
echo 134217728 > "$cg$POD/memory.max"
echo "100000 100000" > "$cg$POD/cpu.max"
run_in "$cg$APP" vmprobe -label usage-psi-off -usage -read "$cg$APP/memory.pressure" \
	-read "$cg$APP/cpu.pressure" -read "$cg$APP/io.pressure" -read /proc/pressure/memory
`
	return scenario{
		name:    "usage-psi0-6.1",
		machine: m,
		image:   func(t *testing.T) string { return busyboxImage(t, script, nil) },
		checks: []check{
			{"usage-psi-off", func(t *testing.T, out probe.Output) {
				require.Len(t, out.Reads, 4)
				for _, r := range out.Reads {
					assert.Contains(t, r.Before.Error, "no such file or directory", "%s with psi=0", r.Path)
				}
				u := usageOf(t, out.Detect)
				assert.Equal(t, probe.PressuresDoc{}, u.Pressure, "no PSI files: null")
				assert.Greater(t, known(t, u.Memory.CurrentBytes, "current"), uint64(0))
				assert.Equal(t, str(pod), u.Memory.HeadroomSource)
				assert.Equal(t, probe.EventsDoc{High: u64(0), Max: u64(0), OOM: u64(0), OOMKill: u64(0)}, u.Memory.Events)
				assert.GreaterOrEqual(t, known(t, u.Pids.Current, "pids.current"), uint64(1))
				if assert.NotNil(t, u.CPU.Throttling) {
					assert.Equal(t, pod, u.CPU.Throttling.Source)
					assert.NotNil(t, u.CPU.Throttling.Periods)
				}
			}},
		},
	}
}

// usageOf returns the usage in an answer's report, checked to be there.
func usageOf(t *testing.T, a probe.Answer) probe.UsageDoc {
	t.Helper()
	require.Empty(t, a.Error, "limits answered an error for %q", a.Query)
	require.NotNil(t, a.Report)
	require.NotNil(t, a.Report.Usage, "the probe ran with -usage")
	return *a.Report.Usage
}

// known returns *v, failing the test when v is null.
func known(t *testing.T, v *uint64, what string) uint64 {
	t.Helper()
	if !assert.NotNil(t, v, "%s is known", what) {
		return 0
	}
	return *v
}

// assertMemoryLimit checks that the report's effective memory limit is
// limit, set by source.
func assertMemoryLimit(t *testing.T, a probe.Answer, limit uint64, source string) {
	t.Helper()
	require.NotNil(t, a.Report)
	assert.Equal(t, u64(limit), a.Report.Memory.LimitBytes)
	assert.Equal(t, str(source), a.Report.Memory.Source)
}

// assertPressure checks that the three PSI files were read, each with its
// full line (cpu's since 5.13): the kernels booted with psi=1.
func assertPressure(t *testing.T, u probe.UsageDoc) {
	t.Helper()
	for name, p := range map[string]*probe.PressureDoc{"memory": u.Pressure.Memory, "cpu": u.Pressure.CPU, "io": u.Pressure.IO} {
		if assert.NotNil(t, p, "%s.pressure", name) {
			assert.NotNil(t, p.Full, "%s.pressure full", name)
		}
	}
}

// assertRoomAt checks a headroom against limit minus the usage of source
// read around the call: between limit minus the higher read and limit
// minus the lower one (the usage moves while it is read), at source.
func assertRoomAt(t *testing.T, room *uint64, source *string, limit uint64, wantSource string, current probe.Read) {
	t.Helper()
	before, after := parseUint(t, current.Before.Text), parseUint(t, current.After.Text)
	lo, hi := limit-min(limit, max(before, after)), limit-min(limit, min(before, after))
	got := known(t, room, "headroom against "+strconv.FormatUint(limit, 10))
	assert.GreaterOrEqual(t, got, lo, "usage %d before, %d after", before, after)
	assert.LessOrEqual(t, got, hi, "usage %d before, %d after", before, after)
	assert.Equal(t, str(wantSource), source)
}

// codesOf lists the codes of a report's diagnostics.
func codesOf(a probe.Answer) []string {
	var c []string
	if a.Report != nil {
		for _, d := range a.Report.Diagnostics {
			c = append(c, d.Code)
		}
	}
	return c
}

// readOf returns the probe's reads of path, checked to have succeeded.
func readOf(t *testing.T, out probe.Output, path string) probe.Read {
	t.Helper()
	for _, r := range out.Reads {
		if r.Path == path {
			require.Empty(t, r.Before.Error, path)
			require.Empty(t, r.After.Error, path)
			return r
		}
	}
	require.Failf(t, "not read", "the probe did not read %s", path)
	return probe.Read{}
}

func parseUint(t *testing.T, s string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	require.NoError(t, err)
	return v
}

// eventCount returns the counter key of a memory.events text ("max 3").
func eventCount(t *testing.T, text, key string) uint64 {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if k, v, ok := strings.Cut(line, " "); ok && k == key {
			return parseUint(t, v)
		}
	}
	require.Failf(t, "no key", "no %s in %q", key, text)
	return 0
}

// eventCounts returns the counters keys of a memory.events text.
func eventCounts(t *testing.T, text string, keys ...string) map[string]uint64 {
	t.Helper()
	c := map[string]uint64{}
	for _, k := range keys {
		c[k] = eventCount(t, text, k)
	}
	return c
}

// psiTotal returns the total of the some line of a PSI file's text.
func psiTotal(t *testing.T, text string) uint64 {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(line, "some "); ok {
			_, total, found := strings.Cut(rest, "total=")
			require.True(t, found, "%q", line)
			return parseUint(t, total)
		}
	}
	require.Failf(t, "no some line", "%q", text)
	return 0
}

// pollRatios returns the x-pread metric of each BenchmarkUsagePollOverPread
// line of a benchmark's output, each checked to be a positive number.
func pollRatios(t *testing.T, text string) []float64 {
	t.Helper()
	var ratios []float64
	for _, line := range strings.Split(text, "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 || !strings.HasPrefix(fields[0], "BenchmarkUsagePollOverPread/host") || fields[len(fields)-1] != "x-pread" {
			continue
		}
		r, err := strconv.ParseFloat(fields[len(fields)-2], 64)
		require.NoError(t, err, line)
		require.Greater(t, r, 0.0, line)
		ratios = append(ratios, r)
	}
	return ratios
}
