package main

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/cgtest"
)

// TestRealKernelCacheGrowth runs the service in a v1 memory cgroup of
// 128 MiB (and a cgroup2 child, for PSI) while it grows its cache by 2 MiB
// every 100 ms toward 200 MiB: with the watcher it drops its coldest half
// on each event and is still running when it stops itself; without it the
// OOM killer ends it, with GOMEMLIMIT set from the same limit or not (the
// cache is live data: the collector cannot free it).
func TestRealKernelCacheGrowth(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     string
		survives bool
	}{
		{"watcher", "-grow 2 -every 100ms -max 200 -interval 250ms -for 12s", true},
		{"no-watcher", "-grow 2 -every 100ms -max 200 -watch=false -for 30s", false},
		{"gomemlimit-alone", "-grow 2 -every 100ms -max 200 -watch=false -gomemlimit -for 30s", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if cgtest.IsHelper(t) {
				if err := run(strings.Fields(os.Getenv("PRESSURECACHE_ARGS")), os.Stdout); err != nil {
					t.Fatal(err)
				}
				return
			}
			mem := cgtest.New(t, "memory")
			mem.Set(t, "memory", "memory.limit_in_bytes", strconv.Itoa(128<<20))
			g := cgtest.Join(mem, cgtest.NewUnified(t))
			cmd := cgtest.HelperCommand(t, g, t.Name(), "PRESSURECACHE_ARGS="+tc.args)
			out, err := cmd.Output()
			t.Logf("%s", out)
			oomKills := mem.Read(t, "memory", "memory.oom_control")
			if tc.survives {
				require.NoError(t, err)
				assert.Contains(t, string(out), "dropped", "the cache shrank")
				assert.Contains(t, string(out), "done: cache")
				assert.Contains(t, oomKills, "oom_kill 0")
				return
			}
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit)
			ws, ok := exit.Sys().(syscall.WaitStatus)
			require.True(t, ok)
			// The helper is /bin/sh's exec: the test binary itself.
			assert.Equal(t, syscall.SIGKILL, ws.Signal(), "OOM-killed")
			assert.NotContains(t, oomKills, "oom_kill 0")
			if strings.Contains(tc.args, "-gomemlimit") {
				assert.Contains(t, string(out), "gomemlimit:", "GOMEMLIMIT was set")
			}
		})
	}
}
