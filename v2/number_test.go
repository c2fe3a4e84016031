package v2

import (
	"math"
	"testing"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/parsetest"
)

func TestParseMax(t *testing.T) {
	tests := []struct {
		in        string
		want      uint64
		unlimited bool
		wantErr   error
	}{
		{"max\n", math.MaxUint64, true, nil},
		{"536870912\n", 536870912, false, nil},
		{"0\n", 0, false, nil},
		{"4096", 4096, false, nil},
		{"", 0, false, cgroup.ErrSyntax},
		{"\n", 0, false, cgroup.ErrSyntax},
		{"-1\n", 0, false, cgroup.ErrSyntax},
		{"MAX\n", 0, false, cgroup.ErrSyntax},
		{"512M\n", 0, false, cgroup.ErrSyntax},
		{"99999999999999999999\n", 0, false, cgroup.ErrRange},
	}
	for _, tt := range tests {
		v, unlimited, err := ParseMax([]byte(tt.in))
		parsetest.CheckErr(t, err, tt.wantErr)
		if v != tt.want || unlimited != tt.unlimited {
			t.Errorf("ParseMax(%q) = %d, %v; want %d, %v", tt.in, v, unlimited, tt.want, tt.unlimited)
		}
	}
}

func TestParseUint(t *testing.T) {
	tests := []struct {
		in      string
		want    uint64
		wantErr error
	}{
		{"213909504\n", 213909504, nil}, // memory.current
		{"0\n", 0, nil},                 // memory.swap.current without swap
		{"37\n", 37, nil},               // pids.current
		{"18446744073709551615\n", 18446744073709551615, nil},
		{"max\n", 0, cgroup.ErrSyntax},
		{"-1\n", 0, cgroup.ErrSyntax},
		{"", 0, cgroup.ErrSyntax},
		{"18446744073709551616\n", 0, cgroup.ErrRange},
	}
	for _, tt := range tests {
		got, err := ParseUint([]byte(tt.in))
		parsetest.CheckErr(t, err, tt.wantErr)
		if got != tt.want {
			t.Errorf("ParseUint(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
