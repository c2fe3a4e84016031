package report

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/limits"
)

func TestLevelName(t *testing.T) {
	const pod = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod2d7d6742_06e6_4c5c_a405_5a05fa9b85a6.slice"
	for path, want := range map[string]string{
		"/": "root",
		pod: "pod 2d7d6742 (burstable)",
		pod + "/cri-containerd-d8e642ac67a0b873e64e98295022eb1ac086e2e3ee36c530ce164a25cb429656.scope":                                  "container d8e642ac (containerd)",
		"/kubepods.slice/kubepods-pod2d7d6742_06e6_4c5c_a405_5a05fa9b85a6.slice":                                                        "pod 2d7d6742 (guaranteed)",
		"/kubepods/besteffort/pod9f3cdec8-c7ec-42bf-a223-d2eed907e534":                                                                  "pod 9f3cdec8 (besteffort)",
		"/kubepods/besteffort/pod9f3cdec8-c7ec-42bf-a223-d2eed907e534/c3a0d57050a2543c176b1aee1823ad6d504122cfd0650b07a828b82db6160105": "container c3a0d570",
		"/kubepods/burstable":         "slice kubepods/burstable",
		"/kubepods.slice":             "slice kubepods",
		"/user.slice/user-1000.slice": "slice user-1000",
		"/system.slice/docker-44b317d826b2d53c344ee49e3fe4686613870c72d811dfd8ec1645d4579f6a47.scope":              "container 44b317d8 (docker)",
		"/docker/44b317d826b2d53c344ee49e3fe4686613870c72d811dfd8ec1645d4579f6a47":                                 "container 44b317d8 (docker)",
		"/machine.slice/libpod-d1c637527e94b0f3cbf2e9b48a9fba4df9b3b5e1ab8d9b4c3e70f25a1c6c2f3b.scope/container":   "container d1c63752 (podman) /container",
		"/machine.slice/libpod-conmon-d1c637527e94b0f3cbf2e9b48a9fba4df9b3b5e1ab8d9b4c3e70f25a1c6c2f3b.scope":      "conmon of container d1c63752 (podman)",
		"/kubepods.slice/crio-0123456789abcdef0123456789abcdef.scope":                                              "container 01234567 (cri-o)",
		"/machine.slice/machine-libpod_pod_f8b4c0bf8e704eb5a6162ac20172de3d4a5152cdffc0268bbc9387abb50cd107.slice": "slice machine-libpod_pod_f8b4c0bf",
		"/system.slice/postgresql.service":         "service postgresql",
		"/user.slice/user-0.slice/session-3.scope": "session 3",
		"/init.scope":               "scope init",
		"/job42":                    "job42",
		"hierarchical_memory_limit": "hierarchical_memory_limit",
		"lxcfs:/proc/meminfo":       "lxcfs:/proc/meminfo",
	} {
		assert.Equal(t, want, LevelName(path), path)
	}
}

func TestWrap(t *testing.T) {
	for _, tt := range []struct {
		text string
		n    int
		want []string
	}{
		{"", 10, []string{""}},
		{"a b c", 3, []string{"a b", "c"}},
		{"one two three", 7, []string{"one two", "three"}},
		{"abcdefghij xy", 4, []string{"abcd", "efgh", "ij", "xy"}},
		{"µµµµµ", 2, []string{"µµ", "µµ", "µ"}},
	} {
		assert.Equal(t, tt.want, wrap(tt.text, tt.n), "%q in %d", tt.text, tt.n)
	}
}

func TestShortenPaths(t *testing.T) {
	const pod = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod2d7d6742_06e6_4c5c_a405_5a05fa9b85a6.slice"
	assert.Equal(t, "(memory limit 5 bytes from pod 2d7d6742 (burstable); CPU limit 2 from pod 2d7d6742 (burstable)); x",
		shortenPaths("(memory limit 5 bytes from "+pod+"; CPU limit 2 from "+pod+"); x"))
	assert.Equal(t, "the top visible cgroup / has memory.max, /short/path stays, lxcfs:/proc/meminfo too",
		shortenPaths("the top visible cgroup / has memory.max, /short/path stays, lxcfs:/proc/meminfo too"))
}

// TestSummaryFitsAndStyles writes the summary of a Result with long paths
// and messages: every line fits SummaryWidth, the plain form is ASCII with
// no escape sequence, and WithTerminal adds colour and symbols.
func TestSummaryFitsAndStyles(t *testing.T) {
	long := "/a.slice/" + strings.Repeat("b", 150) + ".scope"
	res := limits.Result{
		Mode:   cgroup.ModeV2,
		Memory: limits.Memory{Limit: limits.Limit{State: limits.Limited, Value: 3 << 29, Source: long}},
		CPU: limits.CPU{Limit: limits.CPULimit{State: limits.Limited, Quota: 50000, Period: 100000, Source: "/a.slice",
			Scope: limits.ScopeVisible}},
		Placements: []limits.Placement{{Controller: "memory", Version: 2, Path: long, MountPoint: "/sys/fs/cgroup", MountRoot: "/"}},
		Diagnostics: []limits.Diagnostic{{Code: limits.CodeReadError, Message: "cannot read " + long + "/memory.max: " + strings.Repeat("word ", 40)},
			{Code: "code-from-the-future", Message: "no advice"}},
	}
	var plain, term bytes.Buffer
	require.NoError(t, Summary(&plain, res, &limits.Usage{}))
	require.NoError(t, Summary(&term, res, &limits.Usage{}, WithTerminal()))
	for i, line := range strings.Split(plain.String(), "\n") {
		assert.LessOrEqual(t, utf8.RuneCountInString(line), SummaryWidth, "line %d: %q", i+1, line)
	}
	for _, c := range plain.Bytes() {
		require.Less(t, c, byte(utf8.RuneSelf), "plain ASCII")
		require.NotEqual(t, byte(0x1b), c)
	}
	for _, want := range []string{"memory       1.5 GiB", "cpu          0.5 CPUs", "slice a, as far as visible (ancestors-hidden)",
		"! read-error: cannot read", "-> check permissions", "! code-from-the-future: no advice"} {
		assert.Contains(t, plain.String(), want)
	}
	for _, want := range []string{sgrBold + "Limits" + sgrReset, "⚠ " + sgrYellow + "read-error" + sgrReset + ":", "→ check permissions"} {
		assert.Contains(t, term.String(), want)
	}
	for i, line := range strings.Split(term.String(), "\n") {
		visible := strings.NewReplacer(sgrBold, "", sgrYellow, "", sgrReset, "").Replace(line)
		assert.LessOrEqual(t, utf8.RuneCountInString(visible), SummaryWidth, "line %d: %q", i+1, line)
	}
}

func TestDiagnosticHelpIsACopy(t *testing.T) {
	h := DiagnosticHelp()
	require.NotEmpty(t, h)
	h[0].Meaning = "changed"
	assert.NotEqual(t, "changed", DiagnosticHelp()[0].Meaning)
	for _, c := range h {
		assert.NotEmpty(t, c.Action, c.Code)
		assert.LessOrEqual(t, len(c.Meaning), 72, "fits -h's column: %s", c.Code)
	}
}
