package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// halfCPUTree is a captured container with a quota of half a CPU.
const halfCPUTree = "../../../testdata/v1-docker-cgroupfs"

// TestBuildGODEBUG builds the probe with a //go:debug directive of each
// setting, and with a go 1.24 go line (go build -modfile) and none, and runs
// SetGoMaxProcs(WithBuildGODEBUG()) in each on a captured container: the
// directives are obeyed, the go line's defaults are not, and $GODEBUG still
// wins over a directive.
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
	tests := []struct {
		name     string
		flags    []string
		defaults string // in the binary's DefaultGODEBUG
		godebug  string // $GODEBUG
		reason   string
	}{
		{name: "no directive", reason: "GOMAXPROCS "},
		{name: "//go:debug containermaxprocs=0", flags: []string{"-tags", "godebug_containermaxprocs"}, defaults: "DefaultGODEBUG=containermaxprocs=0",
			reason: "containermaxprocs=0: container-aware GOMAXPROCS is turned off, so it is left alone"},
		{name: "$GODEBUG wins over the directive", flags: []string{"-tags", "godebug_containermaxprocs"}, defaults: "DefaultGODEBUG=containermaxprocs=0",
			godebug: "containermaxprocs=1", reason: "GOMAXPROCS "},
		{name: "//go:debug updatemaxprocs=0", flags: []string{"-tags", "godebug_updatemaxprocs"}, defaults: "updatemaxprocs=0",
			reason: "updatemaxprocs=0: set once; GOMAXPROCS "},
		{name: "a go 1.24 go line: its defaults are not obeyed", flags: []string{"-modfile=" + go124},
			defaults: "DefaultGODEBUG=containermaxprocs=0,", reason: "GOMAXPROCS "},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probe := build("probe"+string(rune('a'+i)), tt.flags...)
			info, err := exec.Command("go", "version", "-m", probe).Output()
			require.NoError(t, err)
			if tt.defaults != "" {
				assert.Contains(t, string(info), tt.defaults, "the build info")
			} else {
				assert.NotContains(t, string(info), "maxprocs=", "the build info")
			}
			cmd := exec.Command(probe, "-build-godebug", halfCPUTree)
			cmd.Env = append(os.Environ(), "GODEBUG="+tt.godebug, "GOMAXPROCS=", "TRUELIMIT=")
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", out)
			reason, ok := strings.CutPrefix(strings.TrimSpace(string(out)), "reason: ")
			require.True(t, ok, "%s", out)
			if tt.reason == "GOMAXPROCS " {
				assert.True(t, strings.HasPrefix(reason, tt.reason), "set, with nothing before: %s", reason)
			} else {
				assert.Contains(t, reason, tt.reason)
			}
		})
	}
}
