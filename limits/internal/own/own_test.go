package own

import (
	"errors"
	"io/fs"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/truelimit/truelimit/cgroup"
)

// files is a cgroup directory in memory: a file's content, or an error to
// return for it (a missing file is ENOENT).
type files map[string]any

func (f files) ReadFile(name string, buf []byte) ([]byte, error) {
	switch c := f[name].(type) {
	case string:
		return append(buf[:0], c...), nil
	case error:
		return buf[:0], c
	}
	return buf[:0], syscall.ENOENT
}

func TestRead(t *testing.T) {
	eacces := &fs.PathError{Op: "open", Path: "x", Err: syscall.EACCES}
	tests := []struct {
		name    string
		version cgroup.Version
		dir     files
		want    Want
		check   func(t *testing.T, v Values)
	}{
		{name: "v2 limits", version: 2, want: MemoryLimit | MemoryHigh | Swap | CPUQuota | Pids,
			dir: files{"memory.max": "268435456\n", "memory.high": "max\n", "cpu.max": "50000 100000\n", "pids.max": "garbage\n"},
			check: func(t *testing.T, v Values) {
				assert.Equal(t, Number{Status: Set, Value: 268435456, File: "memory.max"}, v.MemoryLimit)
				assert.Equal(t, Unlimited, v.MemoryHigh.Status)
				assert.Equal(t, Absent, v.Swap.Status)
				assert.Equal(t, Quota{Status: Set, Quota: 50000, Period: 100000, File: "cpu.max"}, v.CPUQuota)
				assert.Equal(t, BadValue, v.Pids.Status)
				assert.Error(t, v.Pids.Err)
				assert.Equal(t, NotRead, v.Weight.Status, "not asked for")
			}},
		{name: "v1 memory.limit_in_bytes is missing when absent", version: 1, want: MemoryLimit | UseHierarchy,
			dir: files{"memory.use_hierarchy": "0\n"},
			check: func(t *testing.T, v Values) {
				assert.Equal(t, Missing, v.MemoryLimit.Status)
				assert.Equal(t, Flag{Status: Set, On: false, File: "memory.use_hierarchy"}, v.UseHierarchy)
				assert.Equal(t, NotRead, v.MemoryHigh.Status, "v1 has no memory.high")
			}},
		{name: "v1 CFS: the period only beside a quota", version: 1, want: CPUQuota,
			dir: files{"cpu.cfs_quota_us": "-1\n"},
			check: func(t *testing.T, v Values) {
				assert.Equal(t, Quota{Status: Unlimited, File: "cpu.cfs_quota_us"}, v.CPUQuota)
			}},
		{name: "v1 CFS: a quota without its period", version: 1, want: CPUQuota,
			dir: files{"cpu.cfs_quota_us": "50000\n"},
			check: func(t *testing.T, v Values) {
				assert.Equal(t, Missing, v.CPUQuota.Status)
				assert.Equal(t, "cpu.cfs_period_us", v.CPUQuota.File)
			}},
		{name: "v1 cpuset falls back to cpuset.cpus", version: 1, want: CPUSet,
			dir: files{"cpuset.cpus": "0-3\n"},
			check: func(t *testing.T, v Values) {
				assert.Equal(t, Set, v.CPUSet.Status)
				assert.Equal(t, "cpuset.cpus", v.CPUSet.File)
				assert.Equal(t, 4, v.CPUSet.Set.Count())
			}},
		{name: "a read error is kept with its error", version: 2, want: MemoryLimit,
			dir: files{"memory.max": eacces},
			check: func(t *testing.T, v Values) {
				assert.Equal(t, ReadError, v.MemoryLimit.Status)
				assert.True(t, errors.Is(v.MemoryLimit.Err, syscall.EACCES))
			}},
		{name: "v2 cgroup.controllers", version: 2, want: Controllers,
			dir: files{"cgroup.controllers": "cpuset cpu io memory\n"},
			check: func(t *testing.T, v Values) {
				c := v.Controllers
				assert.True(t, c.Memory && c.CPU && c.CPUSet)
				assert.False(t, c.Pids)
			}},
		{name: "v2 cgroup.controllers is missing when absent", version: 2, want: Controllers, dir: files{},
			check: func(t *testing.T, v Values) { assert.Equal(t, Missing, v.Controllers.Status) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v Values
			NewReader(16).Read(tt.dir, tt.version, tt.want, &v)
			tt.check(t, v)
		})
	}
}

// TestReadKeepsEarlierValues: a directory read in steps keeps what the
// earlier step read.
func TestReadKeepsEarlierValues(t *testing.T) {
	dir := files{"memory.stat": "hierarchical_memory_limit 268435456\n", "memory.limit_in_bytes": "9223372036854771712\n"}
	var v Values
	r := NewReader(0)
	r.Read(dir, 1, MemoryStat, &v)
	r.Read(dir, 1, MemoryLimit, &v)
	assert.Equal(t, Set, v.MemoryStat.Status)
	assert.Equal(t, uint64(268435456), v.MemoryStat.Limits.HierarchicalMemoryLimit)
	assert.Equal(t, Unlimited, v.MemoryLimit.Status)
}

// TestReadLimitsAndMore: ReadLimits reads what the setters follow and
// leaves the rest to ReadMore; together they read what Read reads.
func TestReadLimitsAndMore(t *testing.T) {
	all := MemoryLimit | MemoryHigh | Swap | UseHierarchy | MemoryStat | Kmem | CPUQuota | Weight | CPUSet | Pids | Controllers
	for _, tt := range []struct {
		version cgroup.Version
		dir     files
	}{
		{2, files{"cgroup.controllers": "cpuset cpu memory pids\n", "memory.max": "1073741824\n", "memory.high": "max\n",
			"memory.swap.max": "0\n", "cpu.max": "50000 100000\n", "cpu.weight": "100\n", "cpuset.cpus.effective": "0-1\n", "pids.max": "64\n"}},
		{1, files{"memory.stat": "hierarchical_memory_limit 1073741824\n", "memory.limit_in_bytes": "1073741824\n",
			"memory.memsw.limit_in_bytes": "2147483648\n", "memory.use_hierarchy": "1\n", "memory.kmem.usage_in_bytes": "4096\n",
			"memory.kmem.limit_in_bytes": "9223372036854771712\n", "cpu.cfs_quota_us": "50000\n", "cpu.cfs_period_us": "100000\n",
			"cpu.shares": "1024\n", "cpuset.effective_cpus": "0-1\n", "pids.max": "64\n"}},
	} {
		var limits, both, read Values
		r := NewReader(0)
		r.ReadLimits(tt.dir, tt.version, all, &limits)
		both = limits
		r.ReadMore(tt.dir, tt.version, all, &both)
		r.Read(tt.dir, tt.version, all, &read)
		assert.Equal(t, read, both, "v%d", tt.version)
		for _, n := range []Number{limits.Swap, limits.KmemUsage, limits.KmemLimit, limits.Weight, limits.Pids} {
			assert.Equal(t, NotRead, n.Status, "v%d %s", tt.version, n.File)
		}
		assert.Equal(t, NotRead, limits.CPUSet.Status)
		assert.Equal(t, Set, limits.MemoryLimit.Status)
		assert.Equal(t, Set, limits.CPUQuota.Status)
		assert.Equal(t, Set, read.Pids.Status)
		assert.Equal(t, Set, read.CPUSet.Status)
		assert.Equal(t, Set, read.Weight.Status)
		assert.Equal(t, Set, read.Swap.Status)
	}
}

func TestProblems(t *testing.T) {
	var v Values
	NewReader(0).Read(files{"memory.max": "lots\n", "cpu.max": &fs.PathError{Op: "open", Path: "x", Err: syscall.EACCES}},
		2, MemoryLimit|CPUQuota|Controllers, &v)
	assert.True(t, v.Failed())
	var got []string
	v.Problems("/sys/fs/cgroup/a", func(code, msg string) { got = append(got, code+": "+msg) })
	assert.Equal(t, []string{
		`bad-value: /sys/fs/cgroup/a/memory.max: cgroup: parsing "max" or unsigned integer "lots": invalid syntax; the value it feeds is unknown`,
		"read-error: cannot read /sys/fs/cgroup/a/cpu.max: open x: permission denied",
		"read-error: /sys/fs/cgroup/a has no cgroup.controllers: the cgroup has vanished or is not a cgroup2 directory",
	}, got)

	var fine Values
	NewReader(0).Read(files{"memory.max": "max\n"}, 2, MemoryLimit, &fine)
	assert.False(t, fine.Failed())
}

func TestDescribe(t *testing.T) {
	var v Values
	NewReader(0).Read(files{"memory.max": "max\n", "cpu.max": "50000 100000\n"}, 2, MemoryLimit|MemoryHigh|CPUQuota, &v)
	var got [][2]string
	v.Describe(func(file, text string) { got = append(got, [2]string{file, text}) })
	assert.Equal(t, [][2]string{{"memory.max", "max"}, {"memory.high", "(absent)"}, {"cpu.max", "50000 per 100000"}}, got)
}
