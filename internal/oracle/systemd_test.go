package oracle

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/coreos/go-systemd/v22/unit"
	opencgroups "github.com/opencontainers/cgroups"
	ocsystemd "github.com/opencontainers/cgroups/systemd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/systemd"
)

// The tables are the ones the systemd package's own tests read.
const systemdTestdata = "../../systemd/testdata/"

func loadSystemdCases(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(systemdTestdata + name)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, v))
}

var systemdSentinels = map[string]error{
	"ErrInvalidName":        systemd.ErrInvalidName,
	"ErrInvalidSlice":       systemd.ErrInvalidSlice,
	"ErrInvalidCgroupsPath": systemd.ErrInvalidCgroupsPath,
}

func requireSystemdSentinel(t *testing.T, err error, name string) {
	t.Helper()
	sentinel, ok := systemdSentinels[name]
	require.True(t, ok, "unknown sentinel %q", name)
	require.ErrorIs(t, err, sentinel)
}

// TestExpandSliceAgreesWithOpencontainers runs the shared table through
// github.com/opencontainers/cgroups/systemd.ExpandSlice, the function runc and
// containerd use, and through ours: both must give the same path or both must
// refuse.
func TestExpandSliceAgreesWithOpencontainers(t *testing.T) {
	var cases []struct {
		Slice string `json:"slice"`
		Path  string `json:"path"`
		Err   string `json:"err"`
	}
	loadSystemdCases(t, "expand_cases.json", &cases)
	require.NotEmpty(t, cases)
	for _, tc := range cases {
		t.Run(tc.Slice, func(t *testing.T) {
			theirs, theirErr := ocsystemd.ExpandSlice(tc.Slice)
			ours, ourErr := systemd.ExpandSlice(tc.Slice)
			if tc.Err != "" {
				require.Error(t, theirErr, "opencontainers accepts %q as %q", tc.Slice, theirs)
				requireSystemdSentinel(t, ourErr, tc.Err)
				return
			}
			require.NoError(t, theirErr)
			require.NoError(t, ourErr)
			assert.Equal(t, tc.Path, theirs, "the table disagrees with opencontainers")
			assert.Equal(t, theirs, ours)
		})
	}
}

// unifiedMountpoint is where opencontainers/cgroups roots the paths of its
// cgroup v2 manager (fs2.UnifiedMountpoint).
const unifiedMountpoint = "/sys/fs/cgroup"

// dbusManagerMu serialises NewUnifiedManager, which registers a process-wide
// D-Bus connection manager (without connecting).
var dbusManagerMu sync.Mutex

// runcCgroupsPath resolves a systemd cgroupsPath the way runc does.
// opencontainers/cgroups has no public function that takes "slice:prefix:name":
// runc's libcontainer/specconv (createCgroupConfig) splits it with
// strings.Split and requires exactly three fields, then fills Parent,
// ScopePrefix and Name of a cgroups.Cgroup. That split is reproduced here;
// the path itself comes from the public systemd.NewUnifiedManager(...).Path(""),
// which joins ExpandSlice(Parent) (default "system.slice") with the unit name
// under /sys/fs/cgroup without creating anything or talking to D-Bus.
func runcCgroupsPath(s string) (string, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return "", errors.New("expected cgroupsPath to be of format \"slice:prefix:name\"")
	}
	cfg := &opencgroups.Cgroup{
		Parent:      parts[0],
		ScopePrefix: parts[1],
		Name:        parts[2],
		Systemd:     true,
		Resources:   &opencgroups.Resources{},
	}
	dbusManagerMu.Lock()
	m, err := ocsystemd.NewUnifiedManager(cfg, "")
	dbusManagerMu.Unlock()
	if err != nil {
		return "", err
	}
	full := m.Path("")
	rel, ok := strings.CutPrefix(full, unifiedMountpoint)
	if !ok {
		return "", errors.New("path " + full + " outside " + unifiedMountpoint)
	}
	if rel == "" {
		rel = "/"
	}
	return rel, nil
}

// TestCgroupsPathAgreesWithRunc runs the shared cgroupsPath table through
// runc's resolution and ours. They agree on every accepted path and on every
// refusal runc makes itself. Where runc computes a path for a unit systemd
// refuses (the table's runc_path cases: '/', spaces or non-ASCII in the name,
// over-long or malformed unit names), runc only fails later when systemd
// rejects StartTransientUnit; we refuse up front. The test checks that runc's
// path for those is the one the table records.
func TestCgroupsPathAgreesWithRunc(t *testing.T) {
	var cases []struct {
		In       string `json:"in"`
		Path     string `json:"path"`
		Err      string `json:"err"`
		RuncPath string `json:"runc_path"`
	}
	loadSystemdCases(t, "cgroupspath_cases.json", &cases)
	require.NotEmpty(t, cases)
	for _, tc := range cases {
		t.Run(tc.In, func(t *testing.T) {
			theirs, theirErr := runcCgroupsPath(tc.In)
			var ours string
			cp, ourErr := systemd.ParseCgroupsPath(tc.In)
			if ourErr == nil {
				ours, ourErr = cp.Path()
			}
			switch {
			case tc.RuncPath != "":
				require.NoError(t, theirErr)
				assert.Equal(t, tc.RuncPath, theirs)
				requireSystemdSentinel(t, ourErr, tc.Err)
			case tc.Err != "":
				require.Error(t, theirErr, "runc accepts %q as %q", tc.In, theirs)
				requireSystemdSentinel(t, ourErr, tc.Err)
			default:
				require.NoError(t, theirErr)
				require.NoError(t, ourErr)
				assert.Equal(t, tc.Path, theirs, "the table disagrees with runc")
				assert.Equal(t, theirs, ours)
			}
		})
	}
}

// TestEscapeTableAgreesWithGoSystemd runs the shared escaping table through
// github.com/coreos/go-systemd/v22/unit, a Go port of systemd-escape. The
// systemd package's own test (TestEscapeTables) checks its unexported
// escaping functions against the same table, so both meet in the table. That
// port does not validate (it never fails), writes bytes below 0x10 with one
// hex digit, cannot decode bytes above 0x7f, and does not simplify "." or
// ".." path components; the table marks the cases where it therefore differs
// from systemd, and this test checks those do differ and all others agree.
// Cases systemd refuses are left out: go-systemd has no errors to compare.
func TestEscapeTableAgreesWithGoSystemd(t *testing.T) {
	type escapeCase struct {
		In      string `json:"in"`
		Out     string `json:"out"`
		Err     string `json:"err"`
		Differs string `json:"go_systemd_differs"`
	}
	var cases struct {
		Escape       []escapeCase `json:"escape"`
		Unescape     []escapeCase `json:"unescape"`
		PathEscape   []escapeCase `json:"path_escape"`
		PathUnescape []escapeCase `json:"path_unescape"`
	}
	loadSystemdCases(t, "escape_cases.json", &cases)
	check := func(name string, list []escapeCase, theirs func(string) string) {
		t.Run(name, func(t *testing.T) {
			require.NotEmpty(t, list)
			compared := 0
			for _, tc := range list {
				if tc.Err != "" {
					continue
				}
				if tc.Differs != "" {
					assert.NotEqual(t, tc.Out, theirs(tc.In), "%q is marked as differing (%s)", tc.In, tc.Differs)
					continue
				}
				assert.Equal(t, tc.Out, theirs(tc.In), "%q", tc.In)
				compared++
			}
			assert.Positive(t, compared)
		})
	}
	check("Escape", cases.Escape, unit.UnitNameEscape)
	check("Unescape", cases.Unescape, unit.UnitNameUnescape)
	check("EscapePath", cases.PathEscape, unit.UnitNamePathEscape)
	check("UnescapePath", cases.PathUnescape, unit.UnitNamePathUnescape)
}
