//go:build linux

package limits_test

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/cgtest"
	"github.com/truelimit/truelimit/limits"
)

// holdEnv tells the helper of TestRealKernelHeadroom how many MiB to hold.
const holdEnv = "TRUELIMIT_HOLD_MIB"

// TestRealKernelHeadroom puts two helpers in sibling children of a 256 MiB
// v1 memory cgroup, one holding 150 MiB and the other 40 MiB, and reads the
// first from outside with ForPIDUsage. The headroom is the
// parent's limit minus the parent's own usage, which includes the sibling:
// between 256 MiB minus the parent's memory.usage_in_bytes read just after
// the call and the same read just before it, with the parent as its source;
// and since the sibling uses more than a tenth of the limit, shared-limit.
func TestRealKernelHeadroom(t *testing.T) {
	if cgtest.IsHelper(t) {
		holdMemory()
		return
	}
	const limit = 256 << 20
	parent := cgtest.New(t, "memory")
	parent.Set(t, "memory", "memory.limit_in_bytes", strconv.Itoa(limit))
	first := parent.Child(t, "first")
	second := parent.Child(t, "second")

	start := func(g *cgtest.Group, mib int) int {
		cmd := cgtest.HelperCommand(t, g, t.Name(), holdEnv+"="+strconv.Itoa(mib))
		stdin, err := cmd.StdinPipe()
		require.NoError(t, err)
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		cmd.Stderr = os.Stderr
		require.NoError(t, cmd.Start())
		t.Cleanup(func() { stdin.Close(); _ = cmd.Wait() })
		line, err := bufio.NewReader(stdout).ReadString('\n')
		require.NoError(t, err, "helper holding %d MiB", mib)
		require.Equal(t, "holding\n", line)
		go func() { _, _ = io.Copy(io.Discard, stdout) }()
		return cmd.Process.Pid
	}
	pid := start(first, 150)
	start(second, 40)

	usage := func() uint64 {
		v, err := strconv.ParseUint(strings.TrimSpace(parent.Read(t, "memory", "memory.usage_in_bytes")), 10, 64)
		require.NoError(t, err)
		return v
	}
	before := usage()
	res, u, err := limits.ForPIDUsage(pid)
	after := usage()
	require.NoError(t, err)
	h := u.Memory.Headroom
	require.True(t, h.Known, "%+v", u.Memory)
	assert.Equal(t, parent.Path("memory"), h.Source, "the parent binds: its usage holds the sibling's")
	lo, hi := uint64(limit)-min(limit, max(before, after)), uint64(limit)-min(limit, min(before, after))
	assert.GreaterOrEqual(t, h.Bytes, lo, "before %d after %d", before, after)
	assert.LessOrEqual(t, h.Bytes, hi, "before %d after %d", before, after)
	assert.GreaterOrEqual(t, u.Memory.Current.Value, uint64(150<<20), "the first helper's own usage")
	assert.True(t, res.Has(limits.CodeSharedLimit), "the sibling uses 40 MiB of 256: %v", res.Diagnostics)
	require.NotNil(t, u.Memory.LimitEvents)
	assert.Equal(t, parent.Path("memory"), u.Memory.LimitEvents.Source)
}

// holdMemory is the helper role: touch the MiB asked for, say so, and hold
// them until standard input closes.
func holdMemory() {
	mib, err := strconv.Atoi(os.Getenv(holdEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad", holdEnv, err)
		os.Exit(2)
	}
	held := make([]byte, mib<<20)
	for i := range held {
		if i%4096 == 0 {
			held[i] = 1
		}
	}
	fmt.Println("holding")
	_, _ = io.Copy(io.Discard, os.Stdin)
	runtime.KeepAlive(held)
}
