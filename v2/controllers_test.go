package v2

import "testing"

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
