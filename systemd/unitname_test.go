package systemd

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Expected values follow systemd's src/test/test-unit-name.c
// (unit_name_is_valid with UNIT_NAME_PLAIN|UNIT_NAME_INSTANCE, and
// slice_name_is_valid).
func TestValidateUnitName(t *testing.T) {
	valid := []string{
		"foo.service", "foo@bar.service", "foo@bar@bar.service", ".test.service",
		"_strange::::.service", "user@1000.slice", "-.slice", "init.scope",
		"session-3.scope", "cri-containerd-abc.scope", "-.scope", "dev-sda\\x2d1.device",
		strings.Repeat("a", 249) + ".scope",
	}
	for _, n := range valid {
		assert.NoError(t, validateUnitName(n), n)
	}
	invalid := map[string]string{
		"":                                  "empty",
		".service":                          "empty prefix before the type suffix",
		"foo.waldo":                         `unknown unit type "waldo"`,
		"foo":                               "no type suffix",
		"@.service":                         "starts with '@'",
		"@piep.service":                     "starts with '@'",
		"foo@.service":                      "template without an instance",
		"foo@%i.service":                    "invalid character '%' at byte 4",
		"foo.target.wants/plain.service":    "invalid character '/' at byte 16",
		"a b.scope":                         "invalid character ' ' at byte 1",
		"ü.scope":                           "invalid character 0xc3 at byte 0",
		"a\x00.scope":                       "invalid character 0x00 at byte 1",
		strings.Repeat("a", 250) + ".scope": "longer than 255 bytes",
	}
	for n, reason := range invalid {
		err := validateUnitName(n)
		ne := requireSentinel(t, err, "ErrInvalidName")
		assert.Equal(t, reason, ne.Reason, n)
	}
}

func TestValidateSliceName(t *testing.T) {
	for _, n := range []string{"-.slice", "foo.slice", "foo-bar.slice", "foo-bar-baz.slice", "kubepods-burstable-pod1_2.slice"} {
		assert.NoError(t, validateSliceName(n), n)
	}
	invalid := map[string]string{
		"-foo-bar-baz.slice":  "leading dash",
		"foo-bar-baz-.slice":  "trailing dash",
		"-foo-bar-baz-.slice": "leading dash",
		"foo-bar--baz.slice":  "double dash",
		"foo--bar--baz.slice": "double dash",
		".slice":              "empty prefix before the type suffix",
		"":                    "empty",
		"foo.service":         "missing .slice suffix",
		"foo@.slice":          "template without an instance",
		"foo@bar.slice":       "slices cannot be instances ('@')",
		"foo-bar@baz.slice":   "slices cannot be instances ('@')",
		"@.slice":             "starts with '@'",
		"foo@bar.service":     "missing .slice suffix",
		"a b.slice":           "invalid character ' ' at byte 1",
	}
	for n, reason := range invalid {
		ne := requireSentinel(t, validateSliceName(n), "ErrInvalidSlice")
		assert.Equal(t, reason, ne.Reason, n)
	}
}
