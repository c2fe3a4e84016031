package parse_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/truelimit/truelimit/internal/parse"
)

func TestNewError(t *testing.T) {
	tests := []struct {
		name  string
		what  string
		input string
		err   error
		want  string
	}{
		{"syntax", "cpu.max", "50000 x", parse.ErrSyntax, `cgroup: parsing cpu.max "50000 x": invalid syntax`},
		{"range", "cpu.weight", "0", parse.ErrRange, `cgroup: parsing cpu.weight "0": value out of range`},
		{"quotes control bytes", "mountinfo line", "a\tb\n", parse.ErrSyntax, `cgroup: parsing mountinfo line "a\tb\n": invalid syntax`},
		{"input cut at 64 bytes", "memory.max", strings.Repeat("x", 100), parse.ErrSyntax,
			`cgroup: parsing memory.max "` + strings.Repeat("x", 64) + `": invalid syntax`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := parse.NewError(tt.what, []byte(tt.input), tt.err)
			if err.Error() != tt.want {
				t.Errorf("got %q, want %q", err, tt.want)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("%v does not wrap %v", err, tt.err)
			}
		})
	}
}
