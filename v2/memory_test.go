package v2

import (
	"testing"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/parsetest"
)

// memoryStat has the shape of memory.stat of a cgroup v2 container on
// Linux 6.8 (Documentation/admin-guide/cgroup-v2.rst, "memory.stat"): a
// 200 MiB Java service with a tmpfs and open sockets.
const memoryStat = `anon 150994944
file 54525952
kernel 9166848
kernel_stack 442368
pagetables 1142784
sec_pagetables 0
percpu 98304
sock 1236992
vmalloc 36864
shmem 8388608
zswap 0
zswapped 0
file_mapped 23592960
file_dirty 135168
file_writeback 0
swapcached 0
anon_thp 62914560
file_thp 0
shmem_thp 0
inactive_anon 159383552
active_anon 0
inactive_file 31457280
active_file 14680064
unevictable 0
slab_reclaimable 5193728
slab_unreclaimable 2031616
slab 7225344
workingset_refault_anon 0
workingset_refault_file 1521
workingset_activate_anon 0
workingset_activate_file 310
workingset_restore_anon 0
workingset_restore_file 97
workingset_nodereclaim 0
pgscan 6417
pgsteal 6390
pgscan_kswapd 0
pgscan_direct 6417
pgscan_khugepaged 0
pgsteal_kswapd 0
pgsteal_direct 6390
pgsteal_khugepaged 0
pgfault 1015478
pgmajfault 312
pgrefill 1210
pgactivate 4128
pgdeactivate 1190
pglazyfree 0
pglazyfreed 0
zswpin 0
zswpout 0
zswpwb 0
thp_fault_alloc 41
thp_collapse_alloc 3
thp_swpout 0
thp_swpout_fallback 0
`

// oldMemoryStat has the shape of memory.stat on Linux 4.19: no kernel line
// (it came in 5.18).
const oldMemoryStat = `anon 5779456
file 1228800
kernel_stack 73728
slab 925696
sock 0
shmem 0
file_mapped 860160
file_dirty 0
file_writeback 0
anon_thp 0
inactive_anon 0
active_anon 5779456
inactive_file 753664
active_file 475136
unevictable 0
slab_reclaimable 413696
slab_unreclaimable 512000
pgfault 7170
pgmajfault 8
workingset_refault 0
workingset_activate 0
workingset_nodereclaim 0
pgrefill 0
pgscan 0
pgsteal 0
pgactivate 0
pgdeactivate 0
pglazyfree 0
pglazyfreed 0
thp_fault_alloc 0
thp_collapse_alloc 0
`

// memoryEvents has the shape of memory.events of a cgroup that hit its
// memory.max on Linux 6.8; memory.events.local has the same lines.
const memoryEvents = "low 0\nhigh 0\nmax 1274\noom 3\noom_kill 3\noom_group_kill 0\n"

func TestParseMemoryStatUsage(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    MemoryStatUsage
		wantErr error
	}{
		{"Linux 6.8", memoryStat, MemoryStatUsage{
			Anon: 150994944, File: 54525952, Kernel: 9166848, Sock: 1236992, Shmem: 8388608, InactiveFile: 31457280,
			HasAnon: true, HasFile: true, HasKernel: true, HasSock: true, HasShmem: true, HasInactiveFile: true,
		}, nil},
		{"Linux 4.19, no kernel line", oldMemoryStat, MemoryStatUsage{
			Anon: 5779456, File: 1228800, InactiveFile: 753664,
			HasAnon: true, HasFile: true, HasSock: true, HasShmem: true, HasInactiveFile: true,
		}, nil},
		{"whole keys: file_mapped, active_file and inactive_anon are not read",
			"file_mapped 1\nactive_file 2\ninactive_anon 3\nkernel_stack 4\n", MemoryStatUsage{}, nil},
		{"first duplicate wins", "anon 1\nanon 2\nanon x\n", MemoryStatUsage{Anon: 1, HasAnon: true}, nil},
		{"CRLF and extra spaces", "anon  7\r\nfile\t8 \r\n", MemoryStatUsage{Anon: 7, File: 8, HasAnon: true, HasFile: true}, nil},
		{"other garbage ignored", "pgfault x\n\nslab\nsock 4096", MemoryStatUsage{Sock: 4096, HasSock: true}, nil},
		{"max uint64", "kernel 18446744073709551615\n", MemoryStatUsage{Kernel: 18446744073709551615, HasKernel: true}, nil},
		{"empty", "", MemoryStatUsage{}, nil},
		{"garbage value", "anon 1\nfile 12k\n", MemoryStatUsage{}, cgroup.ErrSyntax},
		{"missing value", "inactive_file\n", MemoryStatUsage{}, cgroup.ErrSyntax},
		{"negative", "shmem -4096\n", MemoryStatUsage{}, cgroup.ErrSyntax},
		{"two values", "sock 1 2\n", MemoryStatUsage{}, cgroup.ErrSyntax},
		{"overflow", "anon 18446744073709551616\n", MemoryStatUsage{}, cgroup.ErrRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMemoryStatUsage([]byte(tt.in))
			parsetest.CheckErr(t, err, tt.wantErr)
			if got != tt.want {
				t.Fatalf("ParseMemoryStatUsage = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseMemoryEvents(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    MemoryEventCounts
		wantErr error
	}{
		{"Linux 6.8", memoryEvents, MemoryEventCounts{
			Max: 1274, OOM: 3, OOMKill: 3, HasHigh: true, HasMax: true, HasOOM: true, HasOOMKill: true,
		}, nil},
		{"Linux 4.19", "low 0\nhigh 12\nmax 0\noom 0\noom_kill 0\n", MemoryEventCounts{
			High: 12, HasHigh: true, HasMax: true, HasOOM: true, HasOOMKill: true,
		}, nil},
		{"oom is not oom_kill or oom_group_kill", "oom_group_kill 5\noom_kill 2\n", MemoryEventCounts{OOMKill: 2, HasOOMKill: true}, nil},
		{"first duplicate wins", "max 1\nmax 2\n", MemoryEventCounts{Max: 1, HasMax: true}, nil},
		{"CRLF", "high 3\r\noom 4\r\n", MemoryEventCounts{High: 3, OOM: 4, HasHigh: true, HasOOM: true}, nil},
		{"empty", "", MemoryEventCounts{}, nil},
		{"garbage value", "oom_kill many\n", MemoryEventCounts{}, cgroup.ErrSyntax},
		{"overflow", "high 99999999999999999999\n", MemoryEventCounts{}, cgroup.ErrRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMemoryEvents([]byte(tt.in))
			parsetest.CheckErr(t, err, tt.wantErr)
			if got != tt.want {
				t.Fatalf("ParseMemoryEvents = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func BenchmarkParseMemoryStatUsage(b *testing.B) {
	in := []byte(memoryStat)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseMemoryStatUsage(in); err != nil {
			b.Fatal(err)
		}
	}
}
