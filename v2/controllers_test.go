package v2

import (
	"reflect"
	"testing"
)

func TestHasController(t *testing.T) {
	tests := []struct {
		in, name string
		want     bool
	}{
		{"cpuset cpu io memory pids\n", "cpu", true},
		{"cpuset cpu io memory pids\n", "cpuset", true},
		{"cpuset cpu io memory pids\n", "pids", true},
		{"cpuset cpu io memory pids\n", "memory", true},
		{"cpuset io memory pids\n", "cpu", false},
		{"cpuset cpu io memory pids\n", "mem", false},
		{"cpuset cpu io memory pids\n", "pids\n", false},
		{"cpuset cpu io memory pids\n", "", false},
		{"hugetlb\n", "hugetlb", true}, // this host's /sys/fs/cgroup/unified
		{"hugetlb\n", "memory", false},
		{"", "memory", false},
		{"\n", "memory", false},
		{"  memory  ", "memory", true},
		{"memoryx", "memory", false},
		{"cpu io", "cpu io", false},
	}
	for _, tt := range tests {
		if got := HasController([]byte(tt.in), tt.name); got != tt.want {
			t.Errorf("HasController(%q, %q) = %v, want %v", tt.in, tt.name, got, tt.want)
		}
	}
}

func TestHasControllerDoesNotAllocate(t *testing.T) {
	in := []byte("cpuset cpu io memory hugetlb pids rdma misc\n")
	allocs := testing.AllocsPerRun(100, func() {
		_ = HasController(in, "pids")
		_ = HasController(in, "absent")
	})
	if allocs != 0 {
		t.Fatalf("got %v allocations, want 0", allocs)
	}
}

func TestParseControllers(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"cpuset cpu io memory pids\n", []string{"cpuset", "cpu", "io", "memory", "pids"}},
		{"hugetlb\n", []string{"hugetlb"}},
		{"", []string{}},
		{"\n", []string{}},
	}
	for _, tt := range tests {
		got := ParseControllers([]byte(tt.in))
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseControllers(%q) = %q, want %q", tt.in, got, tt.want)
		}
		for _, name := range got {
			if !HasController([]byte(tt.in), name) {
				t.Errorf("HasController(%q, %q) disagrees with ParseControllers", tt.in, name)
			}
		}
	}
}
