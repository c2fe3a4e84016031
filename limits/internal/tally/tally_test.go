package tally

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/limits/internal/own"
)

// files is a cgroup directory: file name to content.
type files map[string]string

func (f files) ReadFile(name string, buf []byte) ([]byte, error) {
	if c, ok := f[name]; ok {
		return append(buf[:0], c...), nil
	}
	return buf[:0], syscall.ENOENT
}

func TestLocalEventsAndThrottling(t *testing.T) {
	known := func(v uint64) Counter { return Counter{Value: v, Known: true} }
	tests := []struct {
		name      string
		version   cgroup.Version
		dir       files
		events    [4]Counter // high, max, oom, oom_kill
		throttled [3]Counter // periods, throttled, usec
		failed    bool
	}{
		{name: "v2: memory.events.local, not memory.events", version: 2,
			dir: files{"memory.events": "oom_kill 9\n", "memory.events.local": "low 0\nhigh 2\nmax 3\noom 1\noom_kill 1\n",
				"cpu.stat": "usage_usec 5\nnr_periods 10\nnr_throttled 4\nthrottled_usec 300\n"},
			events: [4]Counter{known(2), known(3), known(1), known(1)}, throttled: [3]Counter{known(10), known(4), known(300)}},
		{name: "v2 before 5.2: no memory.events.local, never the hierarchical count; no cpu controller", version: 2,
			dir: files{"memory.events": "oom_kill 9\n", "cpu.stat": "usage_usec 5\n"}},
		{name: "v2 garbage", version: 2, dir: files{"memory.events.local": "oom_kill lots\n"}, failed: true},
		{name: "v1: the events count in one cgroup; nanoseconds to microseconds", version: 1,
			dir: files{"memory.failcnt": "4\n", "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n",
				"cpu.stat": "nr_periods 10\nnr_throttled 4\nthrottled_time 300999\n"},
			events: [4]Counter{{}, known(4), {}, known(2)}, throttled: [3]Counter{known(10), known(4), known(300)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v own.UsageValues
			r := own.NewReader(64)
			ReadLocalEvents(r, tt.dir, tt.version, &v)
			r.ReadUsage(tt.dir, tt.version, own.CPUCounters, &v)
			high, max, oom, kills := MemoryEvents(&v)
			assert.Equal(t, tt.events, [4]Counter{high, max, oom, kills})
			periods, throttled, usec := Throttling(&v)
			assert.Equal(t, tt.throttled, [3]Counter{periods, throttled, usec})
			assert.Equal(t, tt.failed, v.Failed())
			if tt.version == 2 {
				assert.Equal(t, "memory.events.local", v.Events.File)
			}
			var problems []string
			v.Problems("/sys/fs/cgroup/x", func(_, msg string) { problems = append(problems, msg) })
			if tt.failed {
				assert.Len(t, problems, 1)
				assert.Contains(t, problems[0], "/sys/fs/cgroup/x/memory.events.local")
			}
		})
	}
}
