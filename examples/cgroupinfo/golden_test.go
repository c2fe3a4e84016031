package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/limits/report"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ from the reports")

// treeArgs returns the -root arguments of every testdata tree, with -pid N
// for the trees captured from the host (they hold proc/N/mountinfo), as
// limits' fixture test reads them.
func treeArgs(t *testing.T) map[string][]string {
	t.Helper()
	trees, err := filepath.Glob("../../testdata/*/expected.json")
	require.NoError(t, err)
	require.NotEmpty(t, trees)
	args := map[string][]string{}
	for _, expected := range trees {
		dir := filepath.Dir(expected)
		a := []string{"-root", dir}
		procs, err := filepath.Glob(filepath.Join(dir, "proc", "[0-9]*", "mountinfo"))
		require.NoError(t, err)
		if len(procs) > 0 {
			a = append(a, "-pid", filepath.Base(filepath.Dir(procs[0])))
		}
		args[filepath.Base(dir)] = a
	}
	return args
}

// TestGolden compares the default report and the -v report of every
// testdata tree with testdata/<tree>.txt and testdata/<tree>.v.txt
// (go test -run TestGolden -update rewrites them). The default report is
// plain ASCII, with no escape sequence, in at most report.SummaryWidth
// columns; the test's stdout is no terminal.
func TestGolden(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	for tree, args := range treeArgs(t) {
		t.Run(tree, func(t *testing.T) {
			for _, form := range []struct{ suffix, flag string }{{".txt", ""}, {".v.txt", "-v"}} {
				cmd := args
				if form.flag != "" {
					cmd = append([]string{form.flag}, args...)
				}
				var out bytes.Buffer
				require.NoError(t, run(cmd, &out))
				golden := filepath.Join("testdata", tree+form.suffix)
				if *update {
					require.NoError(t, os.WriteFile(golden, out.Bytes(), 0o644))
				}
				want, err := os.ReadFile(golden)
				require.NoError(t, err, "go test -run TestGolden -update writes it")
				assert.Equal(t, string(want), out.String(), "%s differs: go test -run TestGolden -update", golden)
			}
			var out bytes.Buffer
			require.NoError(t, run(args, &out))
			for i, line := range strings.Split(out.String(), "\n") {
				assert.LessOrEqual(t, utf8.RuneCountInString(line), report.SummaryWidth, "line %d: %q", i+1, line)
			}
			for i, c := range out.Bytes() {
				if c >= utf8.RuneSelf || c == 0x1b {
					t.Fatalf("byte %d of the default report is %#x: not plain ASCII", i, c)
				}
			}
		})
	}
}

// TestColourDecision decides colour and symbols: only for a terminal,
// and never when NO_COLOR has a value.
func TestColourDecision(t *testing.T) {
	for _, tt := range []struct {
		terminal bool
		noColor  string
		want     bool
	}{{true, "", true}, {true, "1", false}, {true, "0", false}, {false, "", false}, {false, "1", false}} {
		assert.Equal(t, tt.want, useTerminal(tt.terminal, tt.noColor), "terminal %v, NO_COLOR=%q", tt.terminal, tt.noColor)
	}

	// A pipe is a file but no terminal: plain text.
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	assert.False(t, isTerminal(w.Fd()))
	t.Setenv("NO_COLOR", "")
	require.NoError(t, run([]string{"-root", "../../testdata/v2-k8s-systemd-pod-limit-leaf-max"}, w))
	require.NoError(t, w.Close())
	var out bytes.Buffer
	_, err = out.ReadFrom(r)
	require.NoError(t, err)
	assert.Contains(t, out.String(), "limit-in-ancestor")
	assert.NotContains(t, out.String(), "\x1b", "no escape sequence into a pipe")
}

// TestREADMEShowsTheTool checks that the README's opening report and its
// -require and -env examples are what cgroupinfo prints, not text written
// by hand.
func TestREADMEShowsTheTool(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	for _, args := range [][]string{
		{"-root", "testdata/v2-k8s-systemd-pod-limit-leaf-max"},
		{"-root", "testdata/v1-docker-cgroupfs", "-require", "'memory>=1GiB'"},
		{"-env", "-root", "testdata/v2-systemd-service-allowedcpus"},
	} {
		if args[0] == "-env" && runtime.NumCPU() < 2 {
			t.Logf("%v: GOMAXPROCS is capped at this machine's %d CPU; the README shows 2", args, runtime.NumCPU())
			continue
		}
		var stdout, stderr bytes.Buffer
		run := make([]string, len(args))
		for i, a := range args {
			if strings.HasPrefix(a, "testdata/") {
				a = "../../" + a
			}
			run[i] = strings.Trim(a, "'")
		}
		cli(run, &stdout, &stderr)
		want := "```\n$ go run ./examples/cgroupinfo " + strings.Join(args, " ") + "\n" + stdout.String() + stderr.String() + "```\n"
		assert.Contains(t, string(readme), want, "regenerate the README's example of %v", args)
	}
}
