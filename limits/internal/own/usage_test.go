package own

import (
	"io/fs"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/truelimit/truelimit/cgroup"
)

func TestReadUsage(t *testing.T) {
	eopnotsupp := &fs.PathError{Op: "read", Path: "memory.pressure", Err: syscall.EOPNOTSUPP}
	eacces := &fs.PathError{Op: "open", Path: "cpu.pressure", Err: syscall.EACCES}
	tests := []struct {
		name    string
		version cgroup.Version
		dir     files
		want    UsageWant
		check   func(t *testing.T, v UsageValues)
	}{
		{name: "PSI disabled on 4.20-6.0: EOPNOTSUPP is absent, not an error", version: 2, want: Pressure,
			dir: files{"memory.pressure": eopnotsupp, "cpu.pressure": eacces, "io.pressure": "some avg10=0.00 avg60=0.00 avg300=0.00 total=7\n"},
			check: func(t *testing.T, v UsageValues) {
				assert.Equal(t, PressureFile{Status: Absent, File: "memory.pressure"}, v.MemoryPSI)
				assert.Equal(t, ReadError, v.CPUPSI.Status, "any other error is a read error")
				assert.Equal(t, Set, v.IOPSI.Status)
				assert.Equal(t, uint64(7), v.IOPSI.Pressure.Some.TotalUsec)
				assert.True(t, v.Failed())
			}},
		{name: "v2 garbage and absent files", version: 2, want: Current | Peak | Events | CPUCounters,
			dir: files{"memory.current": "lots\n", "memory.events": "max 3\noom_kill x\n", "cpu.stat": "usage_usec 5\n"},
			check: func(t *testing.T, v UsageValues) {
				assert.Equal(t, BadValue, v.Current.Status)
				assert.Equal(t, Absent, v.Peak.Status, "memory.peak before 5.19")
				assert.Equal(t, BadValue, v.Events.Status)
				assert.Equal(t, Set, v.CPUStat.Status)
				assert.Equal(t, uint64(5), v.CPUStat.V2.UsageUsec)
				var codes []string
				v.Problems("/sys/fs/cgroup/x", func(code, _ string) { codes = append(codes, code) })
				assert.Equal(t, []string{CodeBadValue, CodeBadValue}, codes)
			}},
		{name: "v1 events and breakdown", version: 1, want: Events | StatUsage | CPUAcct | Pressure,
			dir: files{"memory.failcnt": "4\n", "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\n",
				"memory.stat": "total_rss 10\ntotal_cache 20\n", "memory.kmem.usage_in_bytes": "30\n", "cpuacct.usage": "1000\n",
				"memory.pressure": "some avg10=0.00 avg60=0.00 avg300=0.00 total=1\n"},
			check: func(t *testing.T, v UsageValues) {
				assert.Equal(t, Number{Status: Set, Value: 4, File: "memory.failcnt"}, v.Failcnt)
				assert.Equal(t, OOMControl{Status: Set, File: "memory.oom_control"}, v.OOMControl, "no oom_kill before 4.13")
				assert.Equal(t, uint64(10), v.Stat.V1.TotalRSS)
				assert.False(t, v.Stat.V1.HasTotalShmem)
				assert.Equal(t, uint64(30), v.KmemUsage.Value)
				assert.Equal(t, uint64(1000), v.CPUAcct.Value)
				assert.Equal(t, NotRead, v.MemoryPSI.Status, "no PSI files in a v1 cgroup")
				assert.False(t, v.Failed())
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v UsageValues
			NewReader(64).ReadUsage(tt.dir, tt.version, tt.want, &v)
			tt.check(t, v)
		})
	}
}
