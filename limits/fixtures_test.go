package limits_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/report"
)

// comparableDocument renders r as the fixtures' expected.json holds it: the
// report without the walk, diagnostics reduced to their codes, sorted.
func comparableDocument(t *testing.T, r limits.Result, u *limits.Usage) map[string]any {
	t.Helper()
	data, err := report.JSON(r, u)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	delete(doc, "walk")
	var codes []string
	for _, d := range doc["diagnostics"].([]any) {
		codes = append(codes, d.(map[string]any)["code"].(string))
	}
	sort.Strings(codes)
	diags := []any{}
	for _, c := range codes {
		diags = append(diags, map[string]any{"code": c})
	}
	doc["diagnostics"] = diags
	return doc
}

// detectFixture reads a tree with DetectUsage or, when it holds a numbered
// proc/<N>/ directory with a mountinfo (a host's view of process N), with
// ForPIDUsage(N).
func detectFixture(t *testing.T, dir string) (limits.Result, limits.Usage, error) {
	t.Helper()
	procs, err := filepath.Glob(filepath.Join(dir, "proc", "[0-9]*", "mountinfo"))
	require.NoError(t, err)
	require.LessOrEqual(t, len(procs), 1, "a tree holds at most one process's view")
	if len(procs) == 1 {
		pid, err := strconv.Atoi(filepath.Base(filepath.Dir(procs[0])))
		require.NoError(t, err)
		return limits.ForPIDUsage(pid, limits.WithRoot(dir))
	}
	return limits.DetectUsage(limits.WithRoot(dir))
}

// TestFixtures runs Detect (or ForPID, see detectFixture) on every tree in testdata/ and compares the whole
// answer with the expected.json derived by hand in the tree's SOURCE.md.
func TestFixtures(t *testing.T) {
	trees, err := filepath.Glob("../testdata/*/expected.json")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(trees), 15, "testdata must hold at least 15 trees")
	for _, expectedPath := range trees {
		dir := filepath.Dir(expectedPath)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			_, err := os.Stat(filepath.Join(dir, "SOURCE.md"))
			require.NoError(t, err, "every tree needs a SOURCE.md")
			raw, err := os.ReadFile(expectedPath)
			require.NoError(t, err)
			var want map[string]any
			require.NoError(t, json.Unmarshal(raw, &want))

			res, usage, err := detectFixture(t, dir)
			require.NoError(t, err)
			got := comparableDocument(t, res, &usage)
			gotJSON, _ := json.MarshalIndent(got, "", "  ")
			wantJSON, _ := json.MarshalIndent(want, "", "  ")
			assert.JSONEq(t, string(wantJSON), string(gotJSON))
		})
	}
}
