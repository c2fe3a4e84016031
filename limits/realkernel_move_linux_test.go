//go:build linux

package limits_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/cgtest"
	"github.com/truelimit/truelimit/limits"
)

// TestRealKernelRefreshFollowsAMove moves a running process from a 1 GiB v1
// memory cgroup into a 512 MiB sibling and back. A move changes no file of
// either cgroup (the old one's files read on until it is removed), so only
// /proc/self/cgroup tells the refresh loop; GOMEMLIMIT must follow within a
// tick of each move.
//
// Ticks are counted, not timed: the helper (this test binary, inside the
// first cgroup) prints a line at the end of every tick of its refresh loop
// and holds the next tick back until the test answers with a line on its
// standard input. The test moves the helper while a tick is held, so the
// next tick is the first to start after the move.
func TestRealKernelRefreshFollowsAMove(t *testing.T) {
	if cgtest.IsHelper(t) {
		followMoves()
		return
	}
	const (
		big        = 1 << 30
		small      = 512 << 20
		bigLimit   = 966367641 // 0.9 of 1 GiB
		smallLimit = 483183820 // 0.9 of 512 MiB
		maxTicks   = 3         // ticks after a move by which GOMEMLIMIT must follow
	)
	a := cgtest.New(t, "memory")
	a.Set(t, "memory", "memory.limit_in_bytes", fmt.Sprint(big))
	b := cgtest.New(t, "memory")
	b.Set(t, "memory", "memory.limit_in_bytes", fmt.Sprint(small))

	cmd := cgtest.HelperCommand(t, a, t.Name())
	// The environment must leave GOMEMLIMIT to the library.
	cmd.Env = slices.DeleteFunc(cmd.Env, func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return name == "GOMEMLIMIT" || name == "TRUELIMIT" || name == "TRUELIMIT_MEMORY_RATIO"
	})
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())

	lines := make(chan string, 64)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(lines)
		for s := bufio.NewScanner(stdout); s.Scan(); {
			lines <- s.Text()
		}
	}()
	// next returns the next line the helper printed with the given prefix;
	// the timeout only ends a hung helper, it asserts nothing.
	next := func(prefix string) string {
		t.Helper()
		timeout := time.After(2 * time.Minute)
		for {
			select {
			case line, ok := <-lines:
				if !ok {
					t.Fatalf("the helper ended before printing %q; stderr:\n%s", prefix, &stderr)
				}
				if strings.HasPrefix(line, prefix) {
					return line
				}
			case <-timeout:
				t.Fatalf("the helper printed no %q line for 2 minutes; stderr:\n%s", prefix, &stderr)
			}
		}
	}
	type tick struct {
		n         int
		relocated bool
		limit     int64
	}
	// step lets the held tick end and returns the next one.
	step := func() tick {
		t.Helper()
		_, err := stdin.Write([]byte("\n"))
		require.NoError(t, err)
		var tk tick
		line := next("tick ")
		_, err = fmt.Sscanf(line, "tick %d relocated=%t GOMEMLIMIT=%d", &tk.n, &tk.relocated, &tk.limit)
		require.NoError(t, err, "tick line %q", line)
		return tk
	}
	// follow moves the helper into g and counts the ticks until GOMEMLIMIT
	// is want.
	follow := func(g *cgtest.Group, want int64) {
		t.Helper()
		g.Move(t, cmd)
		for i := 1; i <= maxTicks; i++ {
			tk := step()
			if tk.limit == want {
				t.Logf("GOMEMLIMIT followed the move into %s at the %d. tick after it (tick %d, relocated=%t)",
					g.Path("memory"), i, tk.n, tk.relocated)
				assert.True(t, tk.relocated, "the tick that followed the move located the cgroups again")
				after := step()
				assert.Equal(t, want, after.limit)
				assert.False(t, after.relocated, "the tick after that compares with the new /proc/self/cgroup")
				return
			}
		}
		t.Fatalf("GOMEMLIMIT is not %d %d ticks after the move into %s", want, maxTicks, g.Path("memory"))
	}

	var source string
	var limit int64
	line := next("start ")
	_, err = fmt.Sscanf(line, "start GOMEMLIMIT=%d source=%s", &limit, &source)
	require.NoError(t, err, "start line %q", line)
	require.Equal(t, int64(bigLimit), limit, "0.9 of the first cgroup's 1 GiB")
	require.Equal(t, a.Path("memory"), source)
	// The first tick is held when it has printed its line.
	first := next("tick ")
	require.Equal(t, fmt.Sprintf("tick 1 relocated=false GOMEMLIMIT=%d", bigLimit), first)
	for range 2 {
		tk := step()
		require.Equal(t, int64(bigLimit), tk.limit)
		require.False(t, tk.relocated, "a tick without a move locates nothing again")
	}

	follow(b, smallLimit)
	follow(a, bigLimit)

	require.NoError(t, stdin.Close(), "the helper ends at EOF")
	next("done ")
	wg.Wait()
	require.NoError(t, cmd.Wait(), "stderr:\n%s", &stderr)
}

// followMoves is the helper role: GOMEMLIMIT with a 10 ms refresh, a line
// on standard output at the end of every tick, and the next tick held until
// a line arrives on standard input; at EOF it undoes and ends.
func followMoves() {
	in := bufio.NewReader(os.Stdin)
	started, eof := make(chan struct{}), make(chan struct{})
	var once sync.Once
	ticks := 0
	stop := limits.OnTick(func(relocated bool) {
		<-started // the start line comes first
		ticks++
		fmt.Printf("tick %d relocated=%t GOMEMLIMIT=%d\n", ticks, relocated, debug.SetMemoryLimit(-1))
		if _, err := in.ReadString('\n'); err != nil {
			once.Do(func() { close(eof) })
		}
	})
	defer stop()
	s, undo, err := limits.SetGoMemLimit(limits.WithRefresh(10 * time.Millisecond))
	if err != nil {
		fmt.Fprintln(os.Stderr, "SetGoMemLimit:", err)
		os.Exit(2)
	}
	fmt.Printf("start GOMEMLIMIT=%d source=%s\n", s.Value, s.Source)
	close(started)
	<-eof
	undo()
	fmt.Printf("done GOMEMLIMIT=%d\n", debug.SetMemoryLimit(-1))
}
