package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/report"
)

// TestRunPrintsTheLibraryAnswer checks, on every testdata tree, that
// `cgroupinfo -json -root TREE` prints exactly what limits.Detect answers
// (the fixture tests check that answer against each tree's SOURCE.md) and
// that the text report names the mode and every diagnostic.
func TestRunPrintsTheLibraryAnswer(t *testing.T) {
	trees, err := filepath.Glob("../../testdata/*/expected.json")
	require.NoError(t, err)
	require.NotEmpty(t, trees)
	for _, expected := range trees {
		dir := filepath.Dir(expected)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			res, err := limits.Detect(limits.WithRoot(dir), limits.WithWalk())
			require.NoError(t, err)
			want, err := report.JSON(res)
			require.NoError(t, err)

			var out bytes.Buffer
			require.NoError(t, run([]string{"-json", "-root", dir}, &out))
			assert.JSONEq(t, string(want), out.String())
			var doc report.Document
			require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
			if len(res.Placements) > 0 {
				assert.NotEmpty(t, doc.Walk, "the CLI shows the walk")
			}

			out.Reset()
			require.NoError(t, run([]string{"-root", dir}, &out))
			assert.Contains(t, out.String(), "cgroup mode:")
			for _, d := range res.Diagnostics {
				assert.Contains(t, out.String(), string(d.Code))
			}
		})
	}
}

func TestRunRejectsBadArguments(t *testing.T) {
	for _, args := range [][]string{{"-nope"}, {"extra"}, {"-pid", "-5"}, {"-root", "/nonexistent/tree"}} {
		var out bytes.Buffer
		assert.Error(t, run(args, &out), "%v", args)
	}
}
