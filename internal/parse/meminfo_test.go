package parse_test

import (
	"testing"

	"github.com/truelimit/truelimit/internal/parse"
	"github.com/truelimit/truelimit/internal/parsetest"
)

// hostMeminfo is the head of /proc/meminfo on a Linux 6.18 host.
const hostMeminfo = `MemTotal:       24683620 kB
MemFree:        24065440 kB
MemAvailable:   24353384 kB
Buffers:           19184 kB
Cached:           457680 kB
`

func TestMemTotal(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    uint64
		wantErr error
	}{
		{"host", hostMeminfo, 24683620 * 1024, nil},
		{"not first line", "MemFree: 1 kB\nMemTotal: 2048 kB\n", 2048 * 1024, nil},
		{"no trailing newline", "MemTotal: 1 kB", 1024, nil},
		{"tab and no space before unit", "MemTotal:\t16kB\n", 16 * 1024, nil},
		{"largest that fits", "MemTotal: 18014398509481983 kB\n", 18014398509481983 * 1024, nil},
		{"overflow", "MemTotal: 18014398509481984 kB\n", 0, parse.ErrRange},
		{"missing", "MemFree: 1 kB\n", 0, parse.ErrSyntax},
		{"empty", "", 0, parse.ErrSyntax},
		{"no unit", "MemTotal: 1024\n", 0, parse.ErrSyntax},
		{"other unit", "MemTotal: 1024 MB\n", 0, parse.ErrSyntax},
		{"no number", "MemTotal: kB\n", 0, parse.ErrSyntax},
		{"garbage number", "MemTotal: 1,024 kB\n", 0, parse.ErrSyntax},
		{"indented key is not the key", " MemTotal: 1 kB\n", 0, parse.ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parse.MemTotal([]byte(tt.in))
			parsetest.CheckErr(t, err, tt.wantErr)
			if got != tt.want {
				t.Fatalf("MemTotal = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestMemTotalDoesNotAllocate(t *testing.T) {
	in := []byte(hostMeminfo)
	allocs := testing.AllocsPerRun(100, func() { _, _ = parse.MemTotal(in) })
	if allocs != 0 {
		t.Fatalf("got %v allocations, want 0", allocs)
	}
}
