package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWatchPrintsFrames runs -watch for a few ticks on a captured tree and
// checks every frame: one JSON object per line with the usage, or a text
// report after a time line.
func TestWatchPrintsFrames(t *testing.T) {
	const tree = "../../testdata/v2-k8s-systemd-pod-limit-leaf-max"
	var out bytes.Buffer
	require.NoError(t, run([]string{"-root", tree, "-watch", "5ms", "-frames", "3", "-json"}, &out))
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 3)
	for i, line := range lines {
		var doc struct {
			Mode  string
			Usage *struct{ Memory map[string]any }
		}
		require.NoError(t, json.Unmarshal([]byte(line), &doc), "frame %d", i)
		assert.Equal(t, "v2", doc.Mode)
		require.NotNil(t, doc.Usage, "frame %d has usage", i)
		assert.Contains(t, doc.Usage.Memory, "headroom_bytes")
	}

	out.Reset()
	require.NoError(t, run([]string{"-root", tree, "-watch", "5ms", "-frames", "2"}, &out))
	assert.Equal(t, 2, strings.Count(out.String(), "--- "))
	assert.Equal(t, 2, strings.Count(out.String(), "\nUsage\n"))
}

func TestWatchRejectsBadArguments(t *testing.T) {
	for _, args := range [][]string{{"-frames", "2"}, {"-watch", "1s", "-pid", "1"}, {"-watch", "-1s"}} {
		assert.Error(t, run(args, &bytes.Buffer{}), "%v", args)
	}
}
