package v1

import (
	"testing"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/parsetest"
)

func TestParseOOMControl(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    OOMControl
		wantErr error
	}{
		{"this host", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n", OOMControl{HasKills: true}, nil},
		{"kills", "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n", OOMControl{Kills: 3, HasKills: true}, nil},
		{"disabled and stalled", "oom_kill_disable 1\nunder_oom 1\noom_kill 0\n",
			OOMControl{Disabled: true, UnderOOM: true, HasKills: true}, nil},
		{"before 4.13", "oom_kill_disable 0\nunder_oom 0\n", OOMControl{}, nil},
		{"missing under_oom", "oom_kill_disable 0\noom_kill 1\n", OOMControl{}, cgroup.ErrSyntax},
		{"missing oom_kill_disable", "under_oom 0\n", OOMControl{}, cgroup.ErrSyntax},
		{"empty", "", OOMControl{}, cgroup.ErrSyntax},
		{"flag out of range", "oom_kill_disable 2\nunder_oom 0\n", OOMControl{}, cgroup.ErrRange},
		{"bad oom_kill", "oom_kill_disable 0\nunder_oom 0\noom_kill x\n", OOMControl{}, cgroup.ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseOOMControl([]byte(tt.in))
			parsetest.CheckErr(t, err, tt.wantErr)
			if got != tt.want {
				t.Fatalf("ParseOOMControl = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseOOMControlErrorNamesKey(t *testing.T) {
	_, err := ParseOOMControl([]byte("oom_kill_disable 0\nunder_oom 7\n"))
	want := `cgroup: parsing memory.oom_control under_oom "oom_kill_disable 0\nunder_oom 7": value out of range`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

func TestParseOOMControlDoesNotAllocate(t *testing.T) {
	in := []byte("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n")
	allocs := testing.AllocsPerRun(100, func() { _, _ = ParseOOMControl(in) })
	if allocs != 0 {
		t.Fatalf("got %v allocations, want 0", allocs)
	}
}
