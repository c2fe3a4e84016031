package systemd

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCgroupsPathTable(t *testing.T) {
	var cases []cgroupsPathCase
	loadJSON(t, "cgroupspath_cases.json", &cases)
	require.NotEmpty(t, cases)
	for _, tc := range cases {
		t.Run(tc.In, func(t *testing.T) {
			cp, err := ParseCgroupsPath(tc.In)
			if tc.Err == "ErrInvalidCgroupsPath" {
				requireSentinel(t, err, tc.Err)
				assert.Equal(t, CgroupsPath{}, cp)
				assert.False(t, IsSystemdCgroupsPath(tc.In))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, CgroupsPath{Slice: tc.Slice, Prefix: tc.Prefix, Name: tc.Name}, cp)
			assert.Equal(t, tc.In, cp.String())
			if tc.Unit != "" {
				assert.Equal(t, tc.Unit, cp.UnitName())
			}
			got, err := cp.Path()
			if tc.Err != "" {
				requireSentinel(t, err, tc.Err)
				assert.Empty(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.Path, got)
		})
	}
}

func TestParentSlice(t *testing.T) {
	assert.Equal(t, "system.slice", CgroupsPath{}.ParentSlice())
	assert.Equal(t, "machine.slice", CgroupsPath{Slice: "machine.slice"}.ParentSlice())
}

func TestIsSystemdCgroupsPath(t *testing.T) {
	cases := []struct {
		in   string
		want bool
	}{
		{"kubepods-burstable-pod1234.slice:cri-containerd:abcd", true},
		{"system.slice:docker:abcd", true},
		{":docker:abcd", true},
		{"::", true},
		{"-.slice:runc:x", true},
		{".slice:a:b", true},         // looks like a slice; Path rejects it
		{"foo--bar.slice:a:b", true}, // likewise
		{"/kubepods/burstable/pod1234/abcd", false},
		{"kubepods/burstable/pod1234/abcd", false},
		{"/system.slice/kubepods-pod1234.slice:crio:abcd", false}, // literal directory: '/' in the first field
		{"system.slice/foo.slice:docker:abcd", false},
		{"system:docker:abcd", false}, // first field not a slice
		{"system.slice:docker", false},
		{"system.slice:docker:a:b", false},
		{"", false},
		{":", false},
		{":::", false},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, IsSystemdCgroupsPath(tc.in), tc.in)
	}
}

func TestParseCgroupsPathReasons(t *testing.T) {
	cases := map[string]string{
		"abc":     "no ':'",
		"a:b":     "one ':', want two",
		"a:b:c:d": "3 ':', want two",
		"a:b:::":  "4 ':', want two",
	}
	for in, reason := range cases {
		_, err := ParseCgroupsPath(in)
		ne := requireSentinel(t, err, "ErrInvalidCgroupsPath")
		assert.Equal(t, reason, ne.Reason, in)
	}
}
