package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/limits"
)

// The README's recipes ("Use it from any language"), run as written by
// TestRealPrograms: an entrypoint reads -env's variables, then execs the
// program with flags derived from them, each flag left out when its
// variable is (an unlimited value).
const (
	recipeEntrypoint = `set -a; eval "$(cgroupinfo -env)"; set +a`
	recipeJava       = `exec java ${TRUELIMIT_CPUS_CEIL:+-XX:ActiveProcessorCount=$TRUELIMIT_CPUS_CEIL} ${TRUELIMIT_MEMORY_BYTES:+-XX:MaxRAM=$TRUELIMIT_MEMORY_BYTES}`
	recipeNode       = `UV_THREADPOOL_SIZE=${TRUELIMIT_CPUS_CEIL:-4} exec node ${TRUELIMIT_MEMORY_BYTES:+--max-old-space-size=$((TRUELIMIT_MEMORY_BYTES / 4 * 3 >> 20))}`
)

// envLine is the only line -env may print: a name and a shell-safe value,
// digits with at most one dot.
var envLine = regexp.MustCompile(`^[A-Z][A-Z_]*=[0-9]+(\.[0-9]+)?$`)

// parseEnv checks that every line of out is an envLine with a name not seen
// before, and returns them as a map.
func parseEnv(t *testing.T, out string) map[string]string {
	t.Helper()
	vars := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" && out == "" {
			break
		}
		require.Regexp(t, envLine, line)
		name, value, _ := strings.Cut(line, "=")
		_, dup := vars[name]
		require.False(t, dup, "%s printed twice", name)
		vars[name] = value
	}
	return vars
}

// expectedEnv is -env's TRUELIMIT_* variables derived from a tree's
// hand-written expected.json: the memory limit and memory.high where
// limited; the lower of the CPU limit and the cpuset's count where either
// is limited and neither unknown (a null cpuset with a CPU limit is the
// unknown cpuset of a tree without the cpuset controller).
func expectedEnv(t *testing.T, dir string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	require.NoError(t, err)
	var e struct {
		Memory struct {
			State      string
			LimitBytes *uint64 `json:"limit_bytes"`
			HighBytes  *uint64 `json:"high_bytes"`
		}
		CPU struct {
			State      string
			Limit      *float64
			CPUSetCPUs *int `json:"cpuset_cpus"`
		}
	}
	require.NoError(t, json.Unmarshal(data, &e))
	want := map[string]string{}
	if e.Memory.State == "limited" {
		want[envMemory] = strconv.FormatUint(*e.Memory.LimitBytes, 10)
	}
	if e.Memory.HighBytes != nil {
		want[envMemoryHigh] = strconv.FormatUint(*e.Memory.HighBytes, 10)
	}
	if e.CPU.State == "unknown" || e.CPU.CPUSetCPUs == nil {
		return want
	}
	cpus := float64(*e.CPU.CPUSetCPUs)
	if e.CPU.Limit != nil {
		cpus = min(cpus, *e.CPU.Limit)
	}
	want[envCPUs] = strconv.FormatFloat(cpus, 'f', -1, 64)
	want[envCPUsCeil] = strconv.Itoa(max(int(math.Ceil(cpus)), 1))
	return want
}

// shellEnv evaluates script with sh's eval, every assignment exported
// (set -a), and returns the variables it added to an environment holding
// only PATH.
func shellEnv(t *testing.T, script string) map[string]string {
	t.Helper()
	environ := func(script string) map[string]string {
		cmd := exec.Command("sh", "-c", `set -a; eval "$1"; set +a; exec env`, "sh", script)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
		out, err := cmd.Output()
		require.NoError(t, err, "sh: eval of\n%s", script)
		vars := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			name, value, _ := strings.Cut(line, "=")
			vars[name] = value
		}
		return vars
	}
	before, after := environ(""), environ(script)
	for name, value := range before {
		if after[name] == value {
			delete(after, name)
		}
	}
	return after
}

// setterEnv is what -env must print for GOMEMLIMIT and GOMAXPROCS: the
// Settings limits.SetGoLimits decides with mem and procs (undone at once),
// each where the setters derive it from a limit (Setting.Source).
func setterEnv(t *testing.T, mem []limits.MemoryOption, procs []limits.ProcsOption) map[string]string {
	t.Helper()
	memory, maxProcs, undo, err := limits.SetGoLimits(mem, procs)
	require.NoError(t, err)
	undo()
	want := map[string]string{}
	for _, s := range []limits.Setting{memory, maxProcs} {
		if s.Source != "" {
			want[s.Name] = strconv.FormatInt(s.Value, 10)
		}
	}
	return want
}

// envOf runs cgroupinfo with args and returns -env's variables, split into
// the TRUELIMIT_* ones and GOMEMLIMIT and GOMAXPROCS, and the output.
func envOf(t *testing.T, args ...string) (trueLimit, goLimits map[string]string, out string) {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, run(args, &b))
	trueLimit, goLimits = map[string]string{}, map[string]string{}
	for name, value := range parseEnv(t, b.String()) {
		if strings.HasPrefix(name, "TRUELIMIT_") {
			trueLimit[name] = value
		} else {
			goLimits[name] = value
		}
	}
	return trueLimit, goLimits, b.String()
}

// TestEnv runs -env on every testdata tree: every line is NAME=value with a
// shell-safe value; the TRUELIMIT_* values are the hand-derived answer of
// the tree's expected.json where that describes the process -env reads
// (trees captured from the host describe another process, -pid N);
// GOMEMLIMIT and GOMAXPROCS are what the setters decide for the tree;
// unlimited and unknown values are left out; and sh's eval of the output
// sets exactly those variables.
func TestEnv(t *testing.T) {
	for tree, args := range treeArgs(t) {
		t.Run(tree, func(t *testing.T) {
			dir := args[1]
			trueLimit, goLimits, out := envOf(t, "-env", "-root", dir)
			if len(args) == 2 {
				assert.Equal(t, expectedEnv(t, dir), trueLimit, "-env -root %s:\n%s", dir, out)
			}
			assert.Equal(t, setterEnv(t, []limits.MemoryOption{limits.WithRoot(dir)}, nil), goLimits, "GOMEMLIMIT and GOMAXPROCS")
			assert.Equal(t, parseEnv(t, out), shellEnv(t, out), "what eval sets")
		})
	}
}

// TestEnvSetterOptions runs -env with and without the setters' flags under
// each row of the environment's precedence: GOMEMLIMIT and GOMAXPROCS are
// what the setters decide with the same options in the same environment (a
// value set in the environment stands, and -env leaves its line out, as for
// TRUELIMIT=off), and the TRUELIMIT_* values do not change.
func TestEnvSetterOptions(t *testing.T) {
	const tree = "../../testdata/v2-k8s-memoryqos-high-below-max" // 1 GiB, memory.high 1020051456, 1 CPU
	_, plain, _ := envOf(t, "-env", "-root", tree)
	require.Equal(t, map[string]string{"GOMEMLIMIT": "918046310", "GOMAXPROCS": strconv.Itoa(min(2, runtime.NumCPU()))}, plain,
		"0.9 of memory.high; the quota rounded up, at least 2, at most the CPUs this process may run on")
	_, flagged, _ := envOf(t, "-env", "-root", tree, "-memory-ratio", "0.5", "-round-down")
	require.Equal(t, map[string]string{"GOMEMLIMIT": "510025728", "GOMAXPROCS": "1"}, flagged,
		"0.5 of memory.high; the quota rounded down")
	wantTrueLimit, _, _ := envOf(t, "-env", "-root", tree)

	flags := []struct {
		args  []string
		mem   []limits.MemoryOption
		procs []limits.ProcsOption
	}{
		{nil, nil, nil},
		{[]string{"-memory-ratio", "0.8", "-memory-reserve", "200MiB", "-round-down"},
			[]limits.MemoryOption{limits.WithMemoryRatio(0.8), limits.WithMemoryReserve(200 << 20)}, []limits.ProcsOption{limits.WithRoundDown()}},
	}
	for i, env := range []map[string]string{
		{},
		{"TRUELIMIT_MEMORY_RATIO": "0.5", "TRUELIMIT_MEMORY_RESERVE": "64MiB"},
		{"TRUELIMIT_MEMORY_RATIO": "2", "TRUELIMIT_MEMORY_RESERVE": "lots"},
		{"GOMEMLIMIT": "300MiB", "GOMAXPROCS": "3"},
		{"GOMAXPROCS": "zero", "GODEBUG": "updatemaxprocs=0"},
		{"GODEBUG": "containermaxprocs=0"},
		{"TRUELIMIT": "off"},
	} {
		for j, f := range flags {
			t.Run(strconv.Itoa(i)+"/"+strconv.Itoa(j), func(t *testing.T) {
				for k, v := range env {
					t.Setenv(k, v)
				}
				trueLimit, goLimits, _ := envOf(t, append([]string{"-env", "-root", tree}, f.args...)...)
				assert.Equal(t, wantTrueLimit, trueLimit)
				want := setterEnv(t, append([]limits.MemoryOption{limits.WithRoot(tree)}, f.mem...), f.procs)
				assert.Equal(t, want, goLimits, "env %v, flags %v", env, f.args)
				for _, name := range []string{"GOMEMLIMIT", "GOMAXPROCS"} {
					if _, set := env[name]; (set && env[name] != "zero") || env["TRUELIMIT"] == "off" {
						assert.NotContains(t, goLimits, name, "the environment's %s stands", name)
					}
				}
			})
		}
	}
}

// TestEnvFlags checks what -env refuses: other modes, -pid, a ratio outside
// (0, 1], a reserve not in GOMEMLIMIT's syntax, and the setters' flags
// without -env (status 2); and that it prints nothing with status 1 when
// the limits cannot be read.
func TestEnvFlags(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"-env", "-pid", "1"}, "-env prints the values for a program this process starts"},
		{[]string{"-env", "-json"}, "-env prints the values for a program this process starts"},
		{[]string{"-env", "-v"}, "-env prints the values for a program this process starts"},
		{[]string{"-env", "-tree"}, "-env prints the values for a program this process starts"},
		{[]string{"-env", "-watch", "1s"}, "-env prints the values for a program this process starts"},
		{[]string{"-env", "-events"}, "-env prints the values for a program this process starts"},
		{[]string{"-env", "-require", "memory>=1"}, "-env prints the values for a program this process starts"},
		{[]string{"-env", "-memory-ratio", "0"}, "-memory-ratio 0: want a number in (0, 1]"},
		{[]string{"-env", "-memory-ratio", "1.5"}, "-memory-ratio 1.5: want a number in (0, 1]"},
		{[]string{"-env", "-memory-ratio", "NaN"}, "-memory-ratio NaN: want a number in (0, 1]"},
		{[]string{"-env", "-memory-reserve", "1.5GiB"}, `-memory-reserve: bad value: want digits, not "1.5"`},
		{[]string{"-round-down"}, "-memory-ratio, -memory-reserve and -round-down go with -env"},
		{[]string{"-memory-ratio", "0.9"}, "-memory-ratio, -memory-reserve and -round-down go with -env"},
	} {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, exitUsage, cli(tt.args, &stdout, &stderr), "%v", tt.args)
		assert.Contains(t, stderr.String(), "cgroupinfo: "+tt.stderr, "%v", tt.args)
		assert.Empty(t, stdout.String())
	}
	// Limits that cannot be read: status 1 and nothing for eval to set.
	var stdout, stderr bytes.Buffer
	assert.Equal(t, exitError, cli([]string{"-env", "-root", "/nonexistent/tree"}, &stdout, &stderr))
	assert.Empty(t, stdout.String())
	assert.Contains(t, stderr.String(), "cgroupinfo: limits: /nonexistent/tree/proc/self/mountinfo")
}

// The README's shell lines for a memory budget and worker counts.
const (
	recipeBudget = `mem=${TRUELIMIT_MEMORY_BYTES:-$TRUELIMIT_MEMORY_HIGH_BYTES}
if [ -n "$TRUELIMIT_MEMORY_HIGH_BYTES" ] && [ "$TRUELIMIT_MEMORY_HIGH_BYTES" -lt "$mem" ]; then mem=$TRUELIMIT_MEMORY_HIGH_BYTES; fi`
	recipeGunicorn = `exec gunicorn --workers "$((2 * ${TRUELIMIT_CPUS_CEIL:-$(nproc)} + 1))" app:app`
	recipeUvicorn  = `exec uvicorn app:app --workers "${TRUELIMIT_CPUS_CEIL:-$(nproc)}"`
)

// TestREADMERecipes checks that the README shows the recipes the tests run,
// and runs the memory budget and worker-count lines in sh on -env's output
// for trees with and without limits: the lower of the limit and memory.high,
// nothing without either; the CPUs, or nproc's count without a limit.
func TestREADMERecipes(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	for _, r := range []string{recipeEntrypoint, recipeJava, recipeNode, recipeBudget, recipeGunicorn, recipeUvicorn} {
		assert.Contains(t, string(readme), r)
	}
	nproc, err := exec.Command("nproc").Output()
	require.NoError(t, err)
	host := strings.TrimSpace(string(nproc))
	// The program each recipe starts is echo, so that sh prints its arguments.
	echo := func(recipe string) string {
		return strings.NewReplacer("exec gunicorn", "echo", "exec uvicorn", "echo").Replace(recipe)
	}
	for _, tt := range []struct {
		tree, mem, gunicorn, uvicorn string
	}{
		{"v2-systemd-service-allowedcpus", "805306368", "--workers 5 app:app", "app:app --workers 2"},
		{"v2-k8s-memoryqos-high-below-max", "1020051456", "--workers 3 app:app", "app:app --workers 1"},
		{"v2-k8s-systemd-pod-limit-leaf-max", "2147483648", "--workers 5 app:app", "app:app --workers 2"},
		{"v2-podman-rootless-host-net-second-mount", "1073741824", "--workers " + twiceOnePlus(t, host) + " app:app", "app:app --workers " + host},
		{"none-debootstrap-chroot", "", "--workers " + twiceOnePlus(t, host) + " app:app", "app:app --workers " + host},
	} {
		var out bytes.Buffer
		require.NoError(t, run([]string{"-env", "-root", "../../testdata/" + tt.tree}, &out))
		script := recipeEntrypoint + "\n" + recipeBudget + "\n" + `echo "mem=$mem"` + "\n" + echo(recipeGunicorn) + "\n" + echo(recipeUvicorn)
		script = strings.Replace(script, `"$(cgroupinfo -env)"`, `"$ENV_LINES"`, 1)
		cmd := exec.Command("sh", "-c", script)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "ENV_LINES=" + out.String()}
		got, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", got)
		assert.Equal(t, "mem="+tt.mem+"\n"+tt.gunicorn+"\n"+tt.uvicorn+"\n", string(got), tt.tree)
	}
}

// twiceOnePlus is gunicorn's suggested worker count, 2n+1, for n in decimal.
func twiceOnePlus(t *testing.T, n string) string {
	t.Helper()
	i, err := strconv.Atoi(n)
	require.NoError(t, err)
	return strconv.Itoa(2*i + 1)
}
