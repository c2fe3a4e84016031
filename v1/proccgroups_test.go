package v1

import (
	"testing"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/parsetest"
)

// hostProcCgroups is /proc/cgroups on a Linux 6.18 hybrid host.
const hostProcCgroups = "#subsys_name\thierarchy\tnum_cgroups\tenabled\n" +
	"cpuset\t3\t1\t1\n" +
	"cpu\t1\t1\t1\n" +
	"cpuacct\t2\t1\t1\n" +
	"blkio\t7\t1\t1\n" +
	"memory\t4\t15\t1\n" +
	"devices\t5\t1\t1\n" +
	"freezer\t6\t1\t1\n" +
	"net_cls\t0\t1\t1\n" +
	"perf_event\t0\t1\t1\n" +
	"net_prio\t0\t1\t1\n" +
	"hugetlb\t0\t1\t1\n" +
	"pids\t8\t1\t1\n"

// leakingProcCgroups has the shape of /proc/cgroups on a 3.10 node leaking
// memory cgroups through kmem accounting, with memory disabled elsewhere.
const leakingProcCgroups = "#subsys_name\thierarchy\tnum_cgroups\tenabled\n" +
	"cpuset\t4\t9\t1\n" +
	"cpu\t2\t98\t1\n" +
	"memory\t9\t65310\t1\n" +
	"pids\t0\t1\t0\n"

func TestParseProcCgroups(t *testing.T) {
	tests := []struct {
		name, in, controller string
		want                 ProcCgroupsEntry
		found                bool
		wantErr              error
	}{
		{"host memory", hostProcCgroups, "memory", ProcCgroupsEntry{Hierarchy: 4, NumCgroups: 15, Enabled: true}, true, nil},
		{"host cpu not cpuset or cpuacct", hostProcCgroups, "cpu", ProcCgroupsEntry{Hierarchy: 1, NumCgroups: 1, Enabled: true}, true, nil},
		{"host hugetlb on v2", hostProcCgroups, "hugetlb", ProcCgroupsEntry{Hierarchy: 0, NumCgroups: 1, Enabled: true}, true, nil},
		{"host last line", hostProcCgroups, "pids", ProcCgroupsEntry{Hierarchy: 8, NumCgroups: 1, Enabled: true}, true, nil},
		{"absent", hostProcCgroups, "rdma", ProcCgroupsEntry{}, false, nil},
		{"header is not a controller", hostProcCgroups, "#subsys_name", ProcCgroupsEntry{}, false, nil},
		{"empty name", hostProcCgroups, "", ProcCgroupsEntry{}, false, nil},
		{"leak", leakingProcCgroups, "memory", ProcCgroupsEntry{Hierarchy: 9, NumCgroups: 65310, Enabled: true}, true, nil},
		{"disabled", leakingProcCgroups, "pids", ProcCgroupsEntry{NumCgroups: 1}, true, nil},
		{"spaces and no trailing newline", "memory 4 15 1", "memory", ProcCgroupsEntry{Hierarchy: 4, NumCgroups: 15, Enabled: true}, true, nil},
		{"extra column ignored", "memory\t4\t15\t1\t9\n", "memory", ProcCgroupsEntry{Hierarchy: 4, NumCgroups: 15, Enabled: true}, true, nil},
		{"other bad line skipped", "cpu x\nmemory\t4\t15\t1\n", "memory", ProcCgroupsEntry{Hierarchy: 4, NumCgroups: 15, Enabled: true}, true, nil},
		{"empty", "", "memory", ProcCgroupsEntry{}, false, nil},
		{"missing column", "memory\t4\t15\n", "memory", ProcCgroupsEntry{}, false, cgroup.ErrSyntax},
		{"name only", "memory\n", "memory", ProcCgroupsEntry{}, false, cgroup.ErrSyntax},
		{"bad hierarchy", "memory\t-1\t15\t1\n", "memory", ProcCgroupsEntry{}, false, cgroup.ErrSyntax},
		{"bad count", "memory\t4\tmany\t1\n", "memory", ProcCgroupsEntry{}, false, cgroup.ErrSyntax},
		{"bad enabled", "memory\t4\t15\t2\n", "memory", ProcCgroupsEntry{}, false, cgroup.ErrRange},
		{"huge hierarchy", "memory\t2147483648\t15\t1\n", "memory", ProcCgroupsEntry{}, false, cgroup.ErrRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found, err := ParseProcCgroups([]byte(tt.in), tt.controller)
			parsetest.CheckErr(t, err, tt.wantErr)
			if got != tt.want || found != tt.found {
				t.Fatalf("ParseProcCgroups(%q) = %+v, %v; want %+v, %v", tt.controller, got, found, tt.want, tt.found)
			}
		})
	}
}

func TestParseProcCgroupsErrorQuotesLine(t *testing.T) {
	_, _, err := ParseProcCgroups([]byte("memory\t4\t15\n"), "memory")
	want := `cgroup: parsing /proc/cgroups memory "memory\t4\t15": invalid syntax`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

func TestParseProcCgroupsDoesNotAllocate(t *testing.T) {
	in := []byte(hostProcCgroups)
	allocs := testing.AllocsPerRun(100, func() { _, _, _ = ParseProcCgroups(in, "pids") })
	if allocs != 0 {
		t.Fatalf("got %v allocations, want 0", allocs)
	}
}
