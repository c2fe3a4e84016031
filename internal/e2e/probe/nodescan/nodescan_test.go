package nodescan

import (
	"bytes"
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/e2e/probe"
)

// TestMainScan: -scan / scans this host from the probe's mountinfo, in the
// mode Detect reports; -scan of another directory scans it as a host root,
// which a directory without sys/fs/cgroup is not.
func TestMainScan(t *testing.T) {
	for _, tc := range []struct {
		root string
		ok   bool
	}{{"/", runtime.GOOS == "linux"}, {t.TempDir(), false}} {
		var stdout, stderr bytes.Buffer
		require.Equal(t, 0, probe.MainWithScan([]string{"-label", "s", "-scan", tc.root}, &stdout, &stderr, Scan), stderr.String())
		var out probe.Output
		require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(stdout.String(), probe.Sentinel)), &out))
		require.NotNil(t, out.Scan)
		assert.Equal(t, tc.root, out.Scan.Root)
		if !tc.ok {
			assert.NotEmpty(t, out.Scan.Error, tc.root)
			continue
		}
		require.Empty(t, out.Scan.Error)
		require.NotNil(t, out.Detect.Report, out.Detect.Error)
		assert.Equal(t, *out.Detect.Report.Mode, out.Scan.Mode)
		assert.NotEmpty(t, out.Scan.Hierarchies)
	}
}
