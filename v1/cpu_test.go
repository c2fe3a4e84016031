package v1

import (
	"math"
	"testing"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/parsetest"
)

func TestParseCFSQuota(t *testing.T) {
	tests := []struct {
		in        string
		want      uint64
		unlimited bool
		wantErr   error
	}{
		{"-1\n", math.MaxUint64, true, nil}, // this host's root
		{"50000\n", 50000, false, nil},
		{"150000\n", 150000, false, nil},
		{"1000\n", 1000, false, nil},
		{"0\n", 0, false, cgroup.ErrRange},
		{"999\n", 0, false, cgroup.ErrRange},
		{"-2\n", 0, false, cgroup.ErrRange},
		{"-100000\n", 0, false, cgroup.ErrRange},
		{"9223372036854775808\n", 0, false, cgroup.ErrRange},
		{"max\n", 0, false, cgroup.ErrSyntax},
		{"50000 100000\n", 0, false, cgroup.ErrSyntax},
		{"", 0, false, cgroup.ErrSyntax},
	}
	for _, tt := range tests {
		v, unlimited, err := ParseCFSQuota([]byte(tt.in))
		parsetest.CheckErr(t, err, tt.wantErr)
		if v != tt.want || unlimited != tt.unlimited {
			t.Errorf("ParseCFSQuota(%q) = %d, %v; want %d, %v", tt.in, v, unlimited, tt.want, tt.unlimited)
		}
	}
	_, _, err := ParseCFSQuota([]byte("0\n"))
	if want := `cgroup: parsing cpu.cfs_quota_us "0": value out of range`; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
}

func TestParseCFSPeriod(t *testing.T) {
	tests := []struct {
		in      string
		want    uint64
		wantErr error
	}{
		{"100000\n", 100000, nil}, // this host, the default
		{"1000\n", 1000, nil},
		{"1000000\n", 1000000, nil},
		{"0\n", 0, cgroup.ErrRange},
		{"999\n", 0, cgroup.ErrRange},
		{"1000001\n", 0, cgroup.ErrRange},
		{"-1\n", 0, cgroup.ErrSyntax},
		{"", 0, cgroup.ErrSyntax},
	}
	for _, tt := range tests {
		v, err := ParseCFSPeriod([]byte(tt.in))
		parsetest.CheckErr(t, err, tt.wantErr)
		if v != tt.want {
			t.Errorf("ParseCFSPeriod(%q) = %d, want %d", tt.in, v, tt.want)
		}
	}
}

func TestParseShares(t *testing.T) {
	tests := []struct {
		in      string
		want    uint64
		wantErr error
	}{
		{"1024\n", 1024, nil}, // this host, the default
		{"2\n", 2, nil},
		{"262144\n", 262144, nil},
		{"102\n", 102, nil},
		{"1\n", 0, cgroup.ErrRange},
		{"0\n", 0, cgroup.ErrRange},
		{"262145\n", 0, cgroup.ErrRange},
		{"-1\n", 0, cgroup.ErrSyntax},
		{"", 0, cgroup.ErrSyntax},
	}
	for _, tt := range tests {
		v, err := ParseShares([]byte(tt.in))
		parsetest.CheckErr(t, err, tt.wantErr)
		if v != tt.want {
			t.Errorf("ParseShares(%q) = %d, want %d", tt.in, v, tt.want)
		}
	}
}

func TestCPUParsersDoNotAllocate(t *testing.T) {
	quota, unlimited, period, shares := []byte("50000\n"), []byte("-1\n"), []byte("100000\n"), []byte("1024\n")
	allocs := testing.AllocsPerRun(100, func() {
		_, _, _ = ParseCFSQuota(quota)
		_, _, _ = ParseCFSQuota(unlimited)
		_, _ = ParseCFSPeriod(period)
		_, _ = ParseShares(shares)
	})
	if allocs != 0 {
		t.Fatalf("got %v allocations, want 0", allocs)
	}
}
