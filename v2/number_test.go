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
		{"14155776\n", 14155776, nil},
		{"0\n", 0, nil},
		{"max\n", 0, cgroup.ErrSyntax},
		{"", 0, cgroup.ErrSyntax},
	}
	for _, tt := range tests {
		v, err := ParseUint([]byte(tt.in))
		parsetest.CheckErr(t, err, tt.wantErr)
		if v != tt.want {
			t.Errorf("ParseUint(%q) = %d, want %d", tt.in, v, tt.want)
		}
	}
}

// v2MemoryStat has the shape of a cgroup v2 memory.stat (Linux 6.x, head).
const v2MemoryStat = `anon 1531904
file 143360
kernel 1220608
kernel_stack 49152
pagetables 180224
sec_pagetables 0
percpu 0
sock 0
vmalloc 0
shmem 0
zswap 0
zswapped 0
file_mapped 0
file_dirty 0
file_writeback 0
swapcached 0
anon_thp 0
pgfault 20988
pgmajfault 0
`

func TestParseFlatKeyed(t *testing.T) {
	tests := []struct {
		in, key string
		want    uint64
		found   bool
		wantErr error
	}{
		{v2MemoryStat, "anon", 1531904, true, nil},
		{v2MemoryStat, "file", 143360, true, nil},
		{v2MemoryStat, "pgfault", 20988, true, nil},
		{v2MemoryStat, "anon_thp", 0, true, nil},
		{v2MemoryStat, "inactive_anon", 0, false, nil},
		{"low 0\nhigh 0\nmax 7\noom 2\noom_kill 1\noom_group_kill 0\n", "oom_kill", 1, true, nil},
		{"low 0\nhigh 0\nmax 7\noom 2\noom_kill 1\n", "oom_group_kill", 0, false, nil},
		{"max x\n", "max", 0, false, cgroup.ErrSyntax},
	}
	for _, tt := range tests {
		v, found, err := ParseFlatKeyed([]byte(tt.in), tt.key)
		parsetest.CheckErr(t, err, tt.wantErr)
		if v != tt.want || found != tt.found {
			t.Errorf("ParseFlatKeyed(%q) = %d, %v; want %d, %v", tt.key, v, found, tt.want, tt.found)
		}
	}
}
