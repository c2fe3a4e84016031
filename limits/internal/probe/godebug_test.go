package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// halfCPUTree is a captured container with a quota of half a CPU.
const halfCPUTree = "../../../testdata/v1-docker-cgroupfs"

// TestBuildGODEBUG builds the probe with a //go:debug directive of each
// setting, and with a go 1.24 go line (go build -modfile) and none, and runs
// SetGoMaxProcs(WithBuildGODEBUG()) in each on a captured container, then,
// built with limits/auto, reads what the blank import decided on the live
// system: the directives are obeyed, the go line's defaults are not, and
// $GODEBUG still wins over a directive.
func TestBuildGODEBUG(t *testing.T) {
	dir := t.TempDir()
	mod, err := exec.Command("go", "mod", "edit", "-go=1.24", "-print").Output()
	require.NoError(t, err)
	sum, err := os.ReadFile("../../../go.sum")
	require.NoError(t, err)
	go124 := filepath.Join(dir, "go124.mod")
	require.NoError(t, os.WriteFile(go124, mod, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go124.sum"), sum, 0o644))
	build := func(name string, flags ...string) string {
		t.Helper()
		out := filepath.Join(dir, name)
		cmd := exec.Command("go", append(append([]string{"build", "-o", out}, flags...), ".")...)
		msg, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", msg)
		return out
	}
	const (
		off  = "containermaxprocs=0: container-aware GOMAXPROCS is turned off, so it is left alone"
		once = "updatemaxprocs=0: set once; "
	)
	tests := []struct {
		name     string
		tags     string
		go124    bool
		defaults string // in the binary's DefaultGODEBUG
		godebug  string // $GODEBUG
		reason   string // in the Reason; "" for none of off and once
	}{
		{name: "no directive"},
		{name: "//go:debug containermaxprocs=0", tags: "godebug_containermaxprocs", defaults: "DefaultGODEBUG=containermaxprocs=0", reason: "DefaultGODEBUG=" + off},
		{name: "$GODEBUG wins over the directive", tags: "godebug_containermaxprocs", defaults: "DefaultGODEBUG=containermaxprocs=0",
			godebug: "containermaxprocs=1"},
		{name: "//go:debug updatemaxprocs=0", tags: "godebug_updatemaxprocs", defaults: "updatemaxprocs=0", reason: "DefaultGODEBUG=" + once},
		{name: "a go 1.24 go line: its defaults are not obeyed", go124: true, defaults: "DefaultGODEBUG=containermaxprocs=0,"},
	}
	for i, tt := range tests {
		for _, auto := range []bool{false, true} {
			name := tt.name
			if auto {
				name = "limits/auto: " + name
			}
			t.Run(name, func(t *testing.T) {
				if auto && runtime.GOOS != "linux" {
					t.Skip("limits/auto reads the live system's cgroups")
				}
				var flags []string
				tags := tt.tags
				if auto {
					tags = strings.TrimPrefix(tags+",truelimit_auto", ",")
				}
				if tags != "" {
					flags = append(flags, "-tags", tags)
				}
				if tt.go124 {
					flags = append(flags, "-modfile="+go124)
				}
				probe := build("probe"+string(rune('a'+i))+strconv.FormatBool(auto), flags...)
				info, err := exec.Command("go", "version", "-m", probe).Output()
				require.NoError(t, err)
				if tt.defaults != "" {
					assert.Contains(t, string(info), tt.defaults, "the build info")
				} else {
					assert.NotContains(t, string(info), "maxprocs=", "the build info")
				}
				args := []string{"-build-godebug", halfCPUTree}
				if auto {
					args = []string{"-auto-reason"}
				}
				cmd := exec.Command(probe, args...)
				cmd.Env = append(os.Environ(), "GODEBUG="+tt.godebug, "GOMAXPROCS=", "TRUELIMIT=", "TRUELIMIT_REFRESH=0")
				var stderr strings.Builder
				cmd.Stderr = &stderr // limits/auto's log line
				out, err := cmd.Output()
				require.NoError(t, err, "%s", &stderr)
				reason, ok := strings.CutPrefix(strings.TrimSpace(string(out)), "reason: ")
				require.True(t, ok, "%s", out)
				if tt.reason == "" {
					assert.NotContains(t, reason, off)
					assert.NotContains(t, reason, once)
					assert.NotEmpty(t, reason)
				} else {
					assert.Contains(t, reason, tt.reason)
				}
				if !auto && !strings.HasSuffix(tt.reason, off) {
					assert.Contains(t, reason, ": CPU quota 0.5 from /docker/", "decided from the captured container's quota")
				}
			})
		}
	}
}
