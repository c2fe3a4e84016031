//go:build linux

package cgtest

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// HelperEnv is the environment variable HelperCommand sets to the name of the
// test whose helper role the re-executed test binary must play.
const HelperEnv = "TRUELIMIT_CGTEST_HELPER"

// enterScript writes the shell's own PID into each cgroup.procs file named
// before "--" and then execs the rest of its arguments, so the program is
// inside the group from its first instruction (cgroups(7): writing a PID to
// cgroup.procs moves that process). A failed move exits with status 125
// before the program runs.
const enterScript = `while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"`

// waitDelay bounds how long Wait keeps reading the output pipes after the
// process exits, in case a descendant still holds them open.
const waitDelay = 5 * time.Second

// Command returns a command that, once started, runs name with args inside g
// in every hierarchy of g: /bin/sh moves itself into each group's
// cgroup.procs, then execs the program (name is looked up in PATH by the
// shell). The process gets its own process group. If it is still running (not
// waited for) at cleanup it and its process group are killed by PID and
// waited for, before g is removed. The caller may set Stdout, Stderr, Env and
// Dir as usual; it must not leave a Wait running past the test's end.
func (g *Group) Command(t testing.TB, name string, args ...string) *exec.Cmd {
	t.Helper()
	shArgs := append([]string{"-c", enterScript, "truelimit-cgtest-enter"}, g.procsFiles()...)
	shArgs = append(shArgs, "--", name)
	shArgs = append(shArgs, args...)
	cmd := exec.Command("/bin/sh", shArgs...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = waitDelay
	t.Cleanup(func() { stopCommand(t, cmd) })
	return cmd
}

// HelperCommand returns a Command in g that re-executes the running test
// binary with -test.run matching exactly testName (a top-level test name, or
// "Test/sub" for a subtest) and HelperEnv=testName plus env ("KEY=value") in
// its environment. The test function recognises the helper role with
// IsHelper and does the child's work there instead of the test.
func HelperCommand(t testing.TB, g *Group, testName string, env ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatalf("cgtest: locate test binary: %v", err)
	}
	cmd := g.Command(t, exe, "-test.run="+exactRunPattern(testName), "-test.count=1")
	cmd.Env = append(append(os.Environ(), HelperEnv+"="+testName), env...)
	return cmd
}

// IsHelper reports whether this process was started by HelperCommand to play
// the helper role of the running test t.
func IsHelper(t testing.TB) bool {
	return os.Getenv(HelperEnv) == t.Name()
}

// exactRunPattern turns a test name into a -test.run pattern matching only
// that test: each slash-separated level is anchored and quoted.
func exactRunPattern(testName string) string {
	levels := strings.Split(testName, "/")
	for i, l := range levels {
		levels[i] = "^" + regexp.QuoteMeta(l) + "$"
	}
	return strings.Join(levels, "/")
}
