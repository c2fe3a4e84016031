package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/cgtest"
)

// requirePrograms makes TestRealPrograms fail, not skip, when java or node
// is missing: scripts/test.sh sets it after installing them.
const requirePrograms = "TRUELIMIT_REQUIRE_PROGRAMS"

// nodeProbe prints what Node 20 sized from its limits: V8's heap limit and
// libuv's threadpool size, counted as the threads that appear in
// /proc/self/task when the pool is first used (libuv starts all of them
// then).
const nodeProbe = `const fs = require("fs"), tasks = () => fs.readdirSync("/proc/self/task").length;
const before = tasks();
require("crypto").pbkdf2("a", "b", 1, 32, "sha256", () => console.log(JSON.stringify({
  heap: require("v8").getHeapStatistics().heap_size_limit, pool: tasks() - before })));`

// javaCount is what OpenJDK logs with -Xlog:os=debug: the processor count
// it sizes its GC and compiler threads and Runtime.availableProcessors() by.
var javaCount = regexp.MustCompile(`Initial active processor count set to (\d+)`)

// TestRealPrograms runs OpenJDK and Node, programs no one here wrote, in a
// real child cgroup of a parent with 256 MiB and 1 CPU (v1, as on hybrid
// hosts). Both read only the child's own files and size themselves from
// the host: the JVM counts every CPU (it gets the memory right from v1's
// hierarchical_memory_limit), Node sizes V8's heap from the host's memory.
// Started with the README's recipes, from cgroupinfo -env run inside the
// child, the JVM counts 1 CPU and Node's heap fits the 256 MiB budget with
// a threadpool of 1; a Go program that sets no limit itself gets the
// setters' GOMEMLIMIT.
func TestRealPrograms(t *testing.T) {
	java, javaErr := exec.LookPath("java")
	node, nodeErr := exec.LookPath("node")
	switch {
	case (javaErr != nil || nodeErr != nil) && os.Getenv(requirePrograms) != "":
		t.Fatalf("%s is set, but: java: %v; node: %v", requirePrograms, javaErr, nodeErr)
	case javaErr != nil && nodeErr != nil:
		t.Skipf("neither java (%v) nor node (%v): scripts/test.sh installs openjdk-17-jre-headless and nodejs as root on Debian", javaErr, nodeErr)
	}
	if runtime.NumCPU() < 2 {
		t.Skipf("%d CPU: a count of 1 would not tell the recipe from the JVM's own reading", runtime.NumCPU())
	}
	const budget = 256 << 20
	parent := cgtest.New(t, "memory", "cpu")
	parent.Set(t, "memory", "memory.limit_in_bytes", strconv.Itoa(budget))
	parent.Set(t, "cpu", "cpu.cfs_period_us", "100000")
	parent.Set(t, "cpu", "cpu.cfs_quota_us", "100000")
	child := parent.Child(t, "child")

	// cgroupinfo and goruntime on PATH are this test binary (see TestMain).
	bin := t.TempDir()
	exe, err := os.Executable()
	require.NoError(t, err)
	for _, name := range []string{"cgroupinfo", "goruntime"} {
		require.NoError(t, os.Symlink(exe, filepath.Join(bin, name)))
	}
	path := bin + ":" + os.Getenv("PATH")

	env := runIn(t, child, path, "cgroupinfo -env")
	assert.Equal(t, map[string]string{envMemory: strconv.Itoa(budget), envCPUs: "1", envCPUsCeil: "1",
		"GOMEMLIMIT": strconv.Itoa(budget * 9 / 10), "GOMAXPROCS": "2"},
		parseEnv(t, env), "cgroupinfo -env in the child: GOMEMLIMIT 0.9 of the budget, GOMAXPROCS the quota rounded up, at least 2")

	t.Run("go", func(t *testing.T) {
		// A Go program that sets no limit itself: its runtime reads the
		// exported GOMEMLIMIT and GOMAXPROCS. Without them it has no memory
		// limit, and its GOMAXPROCS comes from the child's own (unlimited)
		// quota: 2 CPUs here, as the setters' "at least 2" gives too.
		without, with := runIn(t, child, path, "exec goruntime"), runIn(t, child, path, recipeEntrypoint+"\nexec goruntime")
		assert.Equal(t, fmt.Sprintln(int64(math.MaxInt64), runtime.NumCPU()), without)
		assert.Equal(t, fmt.Sprintln(budget*9/10, 2), with)
	})

	t.Run("java", func(t *testing.T) {
		if javaErr != nil {
			t.Skipf("no java: %v", javaErr)
		}
		count := func(script string) int {
			out := runIn(t, child, path, script)
			m := javaCount.FindStringSubmatch(out)
			require.NotNil(t, m, "%s -Xlog:os=debug logs no processor count:\n%s", java, out)
			n, err := strconv.Atoi(m[1])
			require.NoError(t, err)
			return n
		}
		without, with := count("exec java -Xlog:os=debug -version"), count(recipeEntrypoint+"\n"+recipeJava+" -Xlog:os=debug -version")
		t.Logf("the JVM's processor count: %d without the recipe, %d with it", without, with)
		assert.Equal(t, runtime.NumCPU(), without, "without the recipe the JVM counts the host's CPUs (the quota is on the parent)")
		assert.Equal(t, 1, with, "with the recipe the JVM counts the parent's 1 CPU")
	})

	t.Run("node", func(t *testing.T) {
		if nodeErr != nil {
			t.Skipf("no node: %v", nodeErr)
		}
		type sized struct{ Heap, Pool int64 }
		probe := func(g *cgtest.Group, script string) sized {
			out := runIn(t, g, path, script+` -e "$NODE_PROBE"`)
			var s sized
			require.NoError(t, json.Unmarshal([]byte(out), &s), "%s printed:\n%s", node, out)
			return s
		}
		// The reference: Node in a cgroup with no limit at all, sized from the host.
		free := cgtest.New(t, "memory", "cpu")
		host := probe(free, "exec node")
		require.Greater(t, host.Heap, int64(budget), "V8's heap sized from the host exceeds the budget")

		without, with := probe(child, "exec node"), probe(child, recipeEntrypoint+"\n"+recipeNode)
		t.Logf("Node's heap limit and threadpool: %+v in an unlimited cgroup, %+v in the child without the recipe, %+v with it", host, without, with)
		assert.Equal(t, sized{host.Heap, 4}, without,
			"without the recipe Node sizes its heap from the host (libuv reads the child's unlimited files) and keeps 4 threads")
		assert.Equal(t, int64(1), with.Pool, "with the recipe libuv starts 1 thread")
		// --max-old-space-size is 3/4 of the budget; V8 adds its young
		// generation to that, still within the budget.
		assert.GreaterOrEqual(t, with.Heap, int64(budget/4*3), "heap limit")
		assert.LessOrEqual(t, with.Heap, int64(budget), "heap limit")
	})
}

// runIn runs script with /bin/sh inside g, in an environment of PATH set to
// path, HOME to an empty directory and NODE_PROBE to nodeProbe (none of the
// test's own GOMEMLIMIT, TRUELIMIT...), and returns its standard output and
// error. The test fails on a non-zero exit and kills the process when it
// takes more than two minutes (each program starts in well under a second).
func runIn(t *testing.T, g *cgtest.Group, path, script string) string {
	t.Helper()
	cmd := g.Command(t, "/bin/sh", "-c", script)
	cmd.Env = []string{"PATH=" + path, "HOME=" + t.TempDir(), "NODE_PROBE=" + nodeProbe}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	timer := time.AfterFunc(2*time.Minute, func() { _ = cmd.Process.Kill() })
	err := cmd.Wait()
	timer.Stop()
	require.NoError(t, err, "%s in %s:\n%s", script, g.Path("memory"), &out)
	return out.String()
}
