package systemd

import (
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
