package systemd

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEscapeTables(t *testing.T) {
	var cases escapeCases
	loadJSON(t, "escape_cases.json", &cases)
	require.NotEmpty(t, cases.Escape)
	require.NotEmpty(t, cases.Unescape)
	require.NotEmpty(t, cases.PathEscape)
	require.NotEmpty(t, cases.PathUnescape)

	t.Run("Escape", func(t *testing.T) {
		for _, tc := range cases.Escape {
			got := escape(tc.In)
			assert.Equal(t, tc.Out, got, "%q", tc.In)
			back, err := unescape(got)
			require.NoError(t, err)
			assert.Equal(t, tc.In, back, "round trip of %q", tc.In)
		}
	})
	run := func(name string, list []escapeCase, f func(string) (string, error)) {
		t.Run(name, func(t *testing.T) {
			for _, tc := range list {
				got, err := f(tc.In)
				if tc.Err != "" {
					requireSentinel(t, err, tc.Err)
					assert.Empty(t, got, "%q", tc.In)
					continue
				}
				require.NoError(t, err, "%q", tc.In)
				assert.Equal(t, tc.Out, got, "%q", tc.In)
			}
		})
	}
	run("Unescape", cases.Unescape, unescape)
	run("EscapePath", cases.PathEscape, escapePath)
	run("UnescapePath", cases.PathUnescape, unescapePath)
}

func TestEscapePathRoundTrip(t *testing.T) {
	for _, p := range []string{"/", "/foo", "/foo/bar", "/dev/sda-1", "/.dotdir/x", "/a b/ü", "/x\\y"} {
		e, err := escapePath(p)
		require.NoError(t, err, p)
		back, err := unescapePath(e)
		require.NoError(t, err, e)
		assert.Equal(t, p, back)
	}
}

func TestEscapeAllBytes(t *testing.T) {
	for c := 0; c < 256; c++ {
		s := string([]byte{'x', byte(c)})
		e := escape(s)
		switch {
		case c == '/':
			assert.Equal(t, "x-", e)
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == ':', c == '_', c == '.':
			assert.Equal(t, s, e)
		default:
			assert.Len(t, e, 5, "byte %#x", c)
			assert.Equal(t, `x\x`, e[:3])
		}
		require.NoError(t, validateUnitName(e+".service"), "escaped %q must be a valid unit name", s)
	}
}

func TestEscapePathNUL(t *testing.T) {
	_, err := escapePath("/a\x00b")
	ne := requireSentinel(t, err, "ErrInvalidPath")
	assert.Equal(t, "NUL byte", ne.Reason)
}
