package systemd

import (
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// The JSON tables in testdata are shared with the differential test in
// internal/oracle, which runs the same cases through
// github.com/opencontainers/cgroups and github.com/coreos/go-systemd.

type expandCase struct {
	Comment string `json:"comment"`
	Slice   string `json:"slice"`
	Path    string `json:"path"`
	Err     string `json:"err"`
	Reason  string `json:"reason"`
}

type cgroupsPathCase struct {
	Comment  string `json:"comment"`
	In       string `json:"in"`
	Slice    string `json:"slice"`
	Prefix   string `json:"prefix"`
	Name     string `json:"name"`
	Unit     string `json:"unit"`
	Path     string `json:"path"`
	Err      string `json:"err"`
	RuncPath string `json:"runc_path"`
}

type escapeCase struct {
	Comment          string `json:"comment"`
	In               string `json:"in"`
	Out              string `json:"out"`
	Err              string `json:"err"`
	GoSystemdDiffers string `json:"go_systemd_differs"`
}

type escapeCases struct {
	Escape       []escapeCase `json:"escape"`
	Unescape     []escapeCase `json:"unescape"`
	PathEscape   []escapeCase `json:"path_escape"`
	PathUnescape []escapeCase `json:"path_unescape"`
}

func loadJSON(t testing.TB, name string, v any) {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, v))
}

// sentinels maps the error names used in the JSON tables to the errors.
var sentinels = map[string]error{
	"ErrInvalidName":        ErrInvalidName,
	"ErrInvalidSlice":       ErrInvalidSlice,
	"ErrInvalidEscape":      errInvalidEscape,
	"ErrInvalidPath":        errInvalidPath,
	"ErrInvalidCgroupsPath": ErrInvalidCgroupsPath,
	"ErrInvalidKubelet":     errInvalidKubelet,
}

// requireSentinel checks that err is a *NameError wrapping the sentinel named
// want, and returns it.
func requireSentinel(t *testing.T, err error, want string) *NameError {
	t.Helper()
	sentinel, ok := sentinels[want]
	require.True(t, ok, "unknown sentinel %q in table", want)
	require.ErrorIs(t, err, sentinel)
	var ne *NameError
	require.True(t, errors.As(err, &ne), "error %v is not a *NameError", err)
	require.NotEmpty(t, ne.Reason)
	return ne
}
