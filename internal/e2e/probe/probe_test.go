package probe

import (
	"bytes"
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMainPrintsOneResultLine runs the probe on the machine running the
// tests: one line, the sentinel, then an Output whose answers are in the
// order of the flags.
func TestMainPrintsOneResultLine(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Main([]string{"-label", "here", "-forcgroup", "/a/../b", "-forpid", "not-a-pid", "-forpid", "1"}, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	line := stdout.String()
	require.True(t, strings.HasPrefix(line, Sentinel), line)
	require.Equal(t, 1, strings.Count(line, "\n"))
	var out Output
	require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(line, Sentinel)), &out))
	assert.Equal(t, "here", out.Label)
	assert.Equal(t, runtime.GOMAXPROCS(0), out.GOMAXPROCS)
	require.Len(t, out.ForCgroup, 1)
	assert.Equal(t, "/a/../b", out.ForCgroup[0].Query)
	assert.Contains(t, out.ForCgroup[0].Error, `".." component`, "ForCgroup refuses the path")
	assert.Nil(t, out.ForCgroup[0].Report)
	require.Len(t, out.ForPID, 2)
	assert.Equal(t, "not-a-pid", out.ForPID[0].Query)
	assert.NotEmpty(t, out.ForPID[0].Error)
	assert.Nil(t, out.ForPID[0].Target, "no process to look at")
	assert.Nil(t, out.ForCgroup[0].Target, "only ForPID answers have a target")
	if runtime.GOOS != "linux" {
		assert.NotEmpty(t, out.Detect.Error, "cgroups exist only on Linux")
		return
	}
	assert.Empty(t, out.Detect.Error)
	require.NotNil(t, out.Detect.Report)
	require.NotNil(t, out.Detect.Budget)
	assert.Contains(t, out.ProcSelfCgroup, ":")
	assert.True(t, strings.HasPrefix(out.CgroupNamespace, "cgroup:["), out.CgroupNamespace)
	assert.Empty(t, out.Problems)
	if out.ForPID[1].Error == "" {
		require.NotNil(t, out.ForPID[1].Target, "ForPID(1) looks at process 1")
		assert.Contains(t, out.ForPID[1].Target.ProcCgroup, ":")
	}
}

// TestMainRejectsBadArguments: no label, or positional arguments.
func TestMainRejectsBadArguments(t *testing.T) {
	for _, args := range [][]string{{}, {"-label", "x", "extra"}, {"-nosuchflag"}} {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, 2, Main(args, &stdout, &stderr), "%q", args)
		assert.Empty(t, stdout.String(), "%q", args)
	}
}
