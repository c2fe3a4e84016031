package systemd

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExpandSlice(t *testing.T) {
	var cases []expandCase
	loadJSON(t, "expand_cases.json", &cases)
	require.NotEmpty(t, cases)
	for _, tc := range cases {
		t.Run(tc.Slice, func(t *testing.T) {
			got, err := ExpandSlice(tc.Slice)
			if tc.Err != "" {
				ne := requireSentinel(t, err, tc.Err)
				assert.Equal(t, tc.Reason, ne.Reason)
				assert.Equal(t, tc.Slice, ne.Name)
				assert.Empty(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.Path, got)
		})
	}
}

func TestNameErrorMessage(t *testing.T) {
	_, err := ExpandSlice("foo--bar.slice")
	require.EqualError(t, err, `systemd: invalid slice name "foo--bar.slice": double dash`)

	long := make([]byte, 300)
	for i := range long {
		long[i] = 'a'
	}
	_, err = ExpandSlice(string(long))
	var ne *NameError
	require.ErrorAs(t, err, &ne)
	assert.Len(t, ne.Name, maxQuoted, "a long input is truncated in the error")
}

// TestExpandSliceBoundsItsWork: runc's ExpandSlice builds a path that grows
// with the square of the name; this one refuses names systemd refuses
// (256 bytes or more) and expansions past PATH_MAX before building anything.
func TestExpandSliceBoundsItsWork(t *testing.T) {
	longest := strings.Repeat("a", 249) + ".slice" // 255 bytes, one level
	path, err := ExpandSlice(longest)
	require.NoError(t, err)
	assert.Equal(t, "/"+longest, path)

	for name, slice := range map[string]string{
		"256 bytes":          strings.Repeat("a", 250) + ".slice",
		"64 KiB":             strings.Repeat("a-", 32767) + "b.slice",
		"past PATH_MAX deep": strings.Repeat("a-", 124) + "b.slice", // 255 bytes, 125 levels
	} {
		t.Run(name, func(t *testing.T) {
			allocs := testing.AllocsPerRun(10, func() { _, err = ExpandSlice(slice) })
			require.ErrorIs(t, err, ErrInvalidSlice)
			assert.LessOrEqual(t, allocs, 1.0, "only the error is allocated")
		})
	}
	cp, err := ParseCgroupsPath(strings.Repeat("a-", 100) + "b.slice:" + strings.Repeat("p", 120) + ":" + strings.Repeat("n", 120))
	require.NoError(t, err)
	_, err = cp.Path()
	require.Error(t, err, "a unit name of 256 bytes or more is refused before the slice is expanded")
}
