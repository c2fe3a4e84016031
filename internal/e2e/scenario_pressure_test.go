//go:build e2e

package e2e

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/e2e/probe"
)

// pressureScenario is issue 13's memory pressure events on cgroup v2 with
// psi=1, one boot doing in parallel what waits:
//
//   - idle: cmd/vmwatch watches with every source for 60 s while nothing
//     happens in its cgroup (the rest of the scenario runs in others): the
//     watcher must not wake up;
//   - cache: examples/pressurecache grows its cache by 2 MiB every 100 ms
//     toward 200 MiB in three cgroups with memory.high 96 MiB and
//     memory.max 128 MiB: without the watcher and with GOMEMLIMIT alone
//     nothing sheds it and it is OOM-killed or throttled at memory.high
//     near the limit; with the watcher it drops its coldest half and keeps
//     running;
//   - latency: vmwatch -runs goes over memory.high (32 MiB) again and again
//     and times the first event of the trigger, of inotify on
//     memory.events and of the PSI poll: as root (CAP_SYS_RESOURCE: a
//     1 s window), as uid 1000 with memory.pressure delegated to it as
//     systemd does (the window rounded up to 2 s), as uid 1000 without
//     (no trigger: the PSI poll), and in a mount namespace where
//     /sys/fs/cgroup is a read-only bind mount, as Docker mounts it (no
//     trigger: inotify and the PSI poll);
//   - binding level: the limits on a pod above the watcher's cgroup: a
//     trigger and inotify on both, the high events from the pod's
//     memory.events (they count where memory.high was crossed, and up).
func pressureScenario(kernel string, runs, unprivRuns int) scenario {
	script := `
dmesg -n 1
mount -t cgroup2 cgroup2 $cg
for c in idle none gomem watch lat unpriv unpriv-poll ro pod/app; do
	v2_tree "/pressure/$c" "+memory +cpu +pids"
done
echo 268435456 > $cg/pressure/idle/memory.max
run_in $cg/pressure/idle vmwatch -idle 60s -out /tmp/idle.json &
idle=$!

for c in none gomem watch; do
	echo 100663296 > $cg/pressure/$c/memory.high
	echo 134217728 > $cg/pressure/$c/memory.max
done
cache() { # NAME ARGS...
	name=$1
	shift
	if run_in $cg/pressure/$name pressurecache -grow 2 -every 100ms -max 200 "$@" > /tmp/$name.log 2>&1; then
		echo 0
	else
		echo $?
	fi > /tmp/$name.status
}
cache none -watch=false -for 60s &
none=$!
cache gomem -watch=false -gomemlimit -for 60s &
gomem=$!
cache watch -interval 250ms -for 25s &
watch=$!

for c in lat unpriv unpriv-poll ro; do
	echo 33554432 > $cg/pressure/$c/memory.high
	echo 268435456 > $cg/pressure/$c/memory.max
done
echo 33554432 > $cg/pressure/pod/memory.high
echo 268435456 > $cg/pressure/pod/memory.max
chown 1000 $cg/pressure/unpriv/memory.pressure
run_in $cg/pressure/lat vmwatch -runs ` + strconv.Itoa(runs) + ` -out /tmp/lat.json
run_in $cg/pressure/unpriv vmwatch -uid 1000 -runs ` + strconv.Itoa(unprivRuns) + ` -out /tmp/unpriv.json
run_in $cg/pressure/unpriv-poll vmwatch -uid 1000 -runs 1 -out /tmp/unpriv-poll.json
run_in $cg/pressure/ro unshare -m sh -ec 'mount --make-rprivate /
	mount -o bind /sys/fs/cgroup /sys/fs/cgroup
	mount -o remount,bind,ro /sys/fs/cgroup
	exec vmwatch -runs 1 -out /tmp/ro.json'
run_in $cg/pressure/pod/app vmwatch -runs 1 -out /tmp/pod.json
wait $idle $none $gomem $watch
vmprobe -label pressure -read /tmp/pod.json -read /tmp/idle.json -read /tmp/lat.json -read /tmp/unpriv.json \
	-read /tmp/unpriv-poll.json -read /tmp/ro.json \
	-read /tmp/none.log -read /tmp/none.status -read $cg/pressure/none/memory.events \
	-read /tmp/gomem.log -read /tmp/gomem.status -read $cg/pressure/gomem/memory.events \
	-read /tmp/watch.log -read /tmp/watch.status -read $cg/pressure/watch/memory.events
`
	return scenario{
		name:    "pressure-" + kernel,
		machine: machine{kernel: kernel, cmdline: "psi=1", memMB: 1024, timeout: 6 * time.Minute, attempts: 2},
		image:   func(t *testing.T) string { return busyboxImage(t, script, nil) },
		checks: []check{{"pressure", func(t *testing.T, out probe.Output) {
			text := func(path string) string { return readOf(t, out, path).After.Text }
			t.Run("idle", func(t *testing.T) {
				var w watchResult
				require.NoError(t, json.Unmarshal([]byte(text("/tmp/idle.json")), &w))
				require.Empty(t, w.Error)
				require.NotNil(t, w.Idle)
				assert.Equal(t, []string{"inotify", "psi-trigger"}, activeSources(w.Sources), "no polling source: %+v", w.Sources)
				assert.GreaterOrEqual(t, w.Idle.Seconds, 60.0)
				assert.Equal(t, uint64(0), w.Idle.Wakeups, "no wake-up in 60 s of idle")
				assert.Zero(t, w.Idle.Events)
				assert.Equal(t, w.Idle.Goroutines[0], w.Idle.Goroutines[2], "goroutines before and after")
				assert.Equal(t, w.Idle.FDs[0], w.Idle.FDs[2], "open files before and after")
				t.Logf("idle 60 s: %d wake-ups, %d CPU ticks of the process, goroutines %v, fds %v",
					w.Idle.Wakeups, w.Idle.CPUTicks, w.Idle.Goroutines, w.Idle.FDs)
			})
			t.Run("cache", func(t *testing.T) {
				// Without the watcher, and with GOMEMLIMIT alone (the
				// collector cannot free live data), nothing sheds the cache.
				// Seen on both kernels: OOM-killed, or, within the 60 s,
				// throttled at memory.high with the cache near the limit.
				unsaved := func(name string) {
					log, events := text("/tmp/"+name+".log"), text("/sys/fs/cgroup/pressure/"+name+"/memory.events")
					assert.NotContains(t, log, "dropped", "%s: the cache is never shed", name)
					if strings.TrimSpace(text("/tmp/"+name+".status")) == "137" {
						assert.GreaterOrEqual(t, eventCount(t, events, "oom_kill"), uint64(1), "%s: OOM-killed", name)
						return
					}
					assert.Greater(t, eventCount(t, events, "high"), uint64(0), "%s: throttled at memory.high", name)
					assert.GreaterOrEqual(t, lastCacheMiB(t, log), 100, "%s: the cache stays near the limit:\n%s", name, log)
					t.Logf("%s: not killed within 60 s, throttled at memory.high with %d MiB of cache", name, lastCacheMiB(t, log))
				}
				unsaved("none")
				unsaved("gomem")
				assert.Contains(t, text("/tmp/gomem.log"), "gomemlimit: GOMEMLIMIT set", "GOMEMLIMIT was set")
				log := text("/tmp/watch.log")
				assert.Equal(t, "0", strings.TrimSpace(text("/tmp/watch.status")), "with the watcher it runs to the end:\n%s", log)
				assert.Contains(t, log, "dropped", "the cache shrank")
				assert.Equal(t, uint64(0), eventCount(t, text("/sys/fs/cgroup/pressure/watch/memory.events"), "oom_kill"))
				t.Logf("pressurecache with the watcher:\n%s", log)
			})
			latency := func(t *testing.T, file string, uid int, sources []string, within time.Duration) watchResult {
				var w watchResult
				require.NoError(t, json.Unmarshal([]byte(text(file)), &w))
				require.Empty(t, w.Error)
				assert.Equal(t, uid, w.UID)
				for _, src := range sources {
					l := w.Latency[src]
					require.NotEmpty(t, l, "%s: no event (sources %+v)", src, w.Sources)
					assert.Zero(t, w.Missed[src], "%s: runs without an event", src)
					assert.Less(t, slices.Max(l), within.Milliseconds(), "%s: the window + 3 s", src)
					t.Logf("%s %s: %d runs, median %d ms, max %d ms", file, src, len(l), median(l), slices.Max(l))
				}
				return w
			}
			t.Run("latency-root", func(t *testing.T) {
				w := latency(t, "/tmp/lat.json", 0, []string{"psi-trigger", "inotify", "psi-poll"}, 4*time.Second)
				assert.Equal(t, "trigger some 150000 1000000", setupOf(t, w.Sources, "psi-trigger").How, "CAP_SYS_RESOURCE: the window as asked")
			})
			t.Run("latency-unprivileged", func(t *testing.T) {
				w := latency(t, "/tmp/unpriv.json", 1000, []string{"inotify", "psi-poll"}, 5*time.Second)
				assert.Equal(t, "trigger some 150000 2000000 (window rounded from 1s to 2s: no CAP_SYS_RESOURCE: the window must be a multiple of 2s)",
					setupOf(t, w.Sources, "psi-trigger").How)
				// An unprivileged trigger is evaluated by the kernel's 2 s
				// averaging work. Under emulation that sometimes fired after
				// 14.8 s (6.1) or not within a run's 15 s (6.12, 1 run in
				// 10): the trigger must deliver within the window + 3 s in
				// at least half the runs; every run is logged.
				l := w.Latency["psi-trigger"]
				runs := len(l) + w.Missed["psi-trigger"]
				prompt := 0
				for _, ms := range l {
					if ms < (5 * time.Second).Milliseconds() {
						prompt++
					}
				}
				assert.GreaterOrEqual(t, 2*prompt, runs, "psi-trigger: in time in half the runs: %v ms, %d runs without an event", l, w.Missed["psi-trigger"])
				t.Logf("/tmp/unpriv.json psi-trigger: %d of %d runs within the window + 3 s: %v ms, %d without an event", prompt, runs, l, w.Missed["psi-trigger"])
			})
			t.Run("binding-level", func(t *testing.T) {
				w := latency(t, "/tmp/pod.json", 0, []string{"psi-trigger", "inotify", "psi-poll"}, 4*time.Second)
				var triggers, watched []string
				for _, s := range w.Sources {
					switch {
					case nameOf(s.Source) == "psi-trigger" && s.Active:
						triggers = append(triggers, s.Cgroup)
					case nameOf(s.Source) == "inotify" && s.Active:
						watched = append(watched, s.Cgroup)
					}
				}
				assert.Equal(t, []string{"/pressure/pod/app", "/pressure/pod"}, triggers, "the cgroup and the level that sets its limit")
				assert.Equal(t, []string{"/pressure/pod/app", "/pressure/pod"}, watched)
				assert.Contains(t, w.Cgroups["inotify"], "/pressure/pod", "high counts at the pod, whose memory.high was crossed")
				assert.NotContains(t, w.Cgroups["inotify"], "/pressure/pod/app", "and not below it")
			})
			// No trigger possible: without write permission (uid 1000,
			// memory.pressure not delegated), or on a read-only cgroupfs
			// (where inotify on memory.events still works).
			for _, tc := range []struct{ name, file, why string }{
				{"unprivileged-not-delegated", "/tmp/unpriv-poll.json", "permission denied"},
				{"read-only-cgroupfs", "/tmp/ro.json", "read-only file system"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					uid := 0
					if strings.Contains(tc.name, "unprivileged") {
						uid = 1000
					}
					w := latency(t, tc.file, uid, []string{"inotify", "psi-poll"}, 4*time.Second)
					trig := setupOf(t, w.Sources, "psi-trigger")
					assert.False(t, trig.Active)
					assert.Contains(t, trig.How, tc.why)
					assert.Equal(t, []string{"inotify", "psi-poll"}, activeSources(w.Sources), "the poll replaces the trigger")
				})
			}
		}}},
	}
}

// lastCacheMiB is the size in the last "cache N MiB" or "done: cache N MiB"
// line of a pressurecache log.
func lastCacheMiB(t *testing.T, log string) int {
	t.Helper()
	n := -1
	for _, line := range strings.Split(log, "\n") {
		if _, rest, ok := strings.Cut(line, "cache "); ok {
			if v, _, ok := strings.Cut(rest, " MiB"); ok {
				if i, err := strconv.Atoi(v); err == nil {
					n = i
				}
			}
		}
	}
	require.GreaterOrEqual(t, n, 0, "no cache size in %q", log)
	return n
}

// watchResult is what cmd/vmwatch writes.
type watchResult struct {
	UID     int                 `json:"uid"`
	Sources []watchSetup        `json:"sources"`
	Error   string              `json:"error"`
	Latency map[string][]int64  `json:"latency_ms"`
	Missed  map[string]int      `json:"missed"`
	Cgroups map[string][]string `json:"cgroups"`
	Idle    *struct {
		Seconds    float64 `json:"seconds"`
		Wakeups    uint64  `json:"wakeups"`
		CPUTicks   int64   `json:"cpu_ticks"`
		Goroutines [3]int  `json:"goroutines"`
		FDs        [3]int  `json:"fds"`
		Events     int     `json:"events"`
	} `json:"idle"`
}

// watchSetup is a pressure.Setup as JSON writes it (Source is a number).
type watchSetup struct {
	Source uint16
	Active bool
	Cgroup string
	File   string
	How    string
}

// sourceNames are the names of the sources' bits, in their order.
var sourceNames = []string{"systemd", "psi-trigger", "v1-pressure-level", "inotify", "v1-oom-eventfd",
	"psi-poll", "counter-poll", "headroom-poll"}

func nameOf(bit uint16) string {
	for i, n := range sourceNames {
		if bit == 1<<i {
			return n
		}
	}
	return "?"
}

// activeSources returns the names of the active sources, sorted, once each.
func activeSources(setups []watchSetup) []string {
	var names []string
	for _, s := range setups {
		if s.Active && !slices.Contains(names, nameOf(s.Source)) {
			names = append(names, nameOf(s.Source))
		}
	}
	slices.Sort(names)
	return names
}

// setupOf returns the first setup of the source named name.
func setupOf(t *testing.T, setups []watchSetup, name string) watchSetup {
	t.Helper()
	for _, s := range setups {
		if nameOf(s.Source) == name {
			return s
		}
	}
	require.Failf(t, "no source", "no %s in %+v", name, setups)
	return watchSetup{}
}

func median(v []int64) int64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
