package effective

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/limits/internal/own"
	cgv1 "github.com/truelimit/truelimit/v1"
)

func set(v uint64) own.Number        { return own.Number{Status: own.Set, Value: v} }
func quota(q, p uint64) own.Quota    { return own.Quota{Status: own.Set, Quota: q, Period: p} }
func flag(on bool) own.Flag          { return own.Flag{Status: own.Set, On: on} }
func status(s own.Status) own.Number { return own.Number{Status: s} }

// level is one cgroup of a chain: its path and own values.
type level struct {
	path string
	v    own.Values
}

// up combines levels given leaf first, as package limits walks.
func up(levels []level) Chain {
	var c Chain
	for _, l := range levels {
		c.Add(&l.v, l.path, Up)
	}
	return c
}

// down combines the same levels top first, as package node scans: each
// level inherits its parent's Below.
func down(levels []level) Chain {
	var parent Chain
	var c Chain
	for i := len(levels) - 1; i >= 0; i-- {
		c = parent
		c.Add(&levels[i].v, levels[i].path, Down)
		parent = c.Below(&levels[i].v)
	}
	return c
}

func TestChain(t *testing.T) {
	mib := uint64(1 << 20)
	tests := []struct {
		name   string
		levels []level // leaf first
		memory Bytes
		cpu    Quota
		pids   Bytes
	}{
		{name: "the pod binds a max leaf", levels: []level{
			{"/pod/c", own.Values{MemoryLimit: status(own.Unlimited), CPUQuota: own.Quota{Status: own.Unlimited}}},
			{"/pod", own.Values{MemoryLimit: set(256 * mib), CPUQuota: quota(50000, 100000)}},
			{"/", own.Values{}},
		}, memory: Bytes{Limited, 256 * mib, "/pod"}, cpu: Quota{Limited, 50000, 100000, "/pod"}, pids: Bytes{State: Unknown}},
		{name: "a tie goes to the level closest to the process", levels: []level{
			{"/pod/c", own.Values{MemoryLimit: set(64 * mib), CPUQuota: quota(100000, 100000), Pids: set(10)}},
			{"/pod", own.Values{MemoryLimit: set(64 * mib), CPUQuota: quota(50000, 50000), Pids: set(10)}},
		}, memory: Bytes{Limited, 64 * mib, "/pod/c"}, cpu: Quota{Limited, 100000, 100000, "/pod/c"}, pids: Bytes{Limited, 10, "/pod/c"}},
		{name: "quotas compare as exact ratios", levels: []level{
			{"/a/b", own.Values{CPUQuota: quota(333333, 1000000)}},
			{"/a", own.Values{CPUQuota: quota(33333, 100000)}},
		}, memory: Bytes{State: Unknown}, cpu: Quota{Limited, 33333, 100000, "/a"}, pids: Bytes{State: Unknown}},
		{name: "an unreadable file anywhere makes the value unknown", levels: []level{
			{"/a/b", own.Values{MemoryLimit: set(mib), CPUQuota: quota(1, 2)}},
			{"/a", own.Values{MemoryLimit: status(own.ReadError), CPUQuota: own.Quota{Status: own.BadValue}}},
		}, memory: Bytes{State: Unknown}, cpu: Quota{State: Unknown}, pids: Bytes{State: Unknown}},
		{name: "use_hierarchy 0 cuts the levels above off", levels: []level{
			{"/a/b", own.Values{MemoryLimit: set(512 * mib)}},
			{"/a", own.Values{MemoryLimit: set(128 * mib), UseHierarchy: flag(false)}},
			{"/", own.Values{MemoryLimit: set(64 * mib), UseHierarchy: flag(true)}},
		}, memory: Bytes{Limited, 512 * mib, "/a/b"}, cpu: Quota{State: Unknown}, pids: Bytes{State: Unknown}},
		{name: "an unreadable use_hierarchy makes the memory limit unknown", levels: []level{
			{"/a/b", own.Values{MemoryLimit: set(512 * mib)}},
			{"/a", own.Values{MemoryLimit: set(128 * mib), UseHierarchy: own.Flag{Status: own.BadValue}}},
		}, memory: Bytes{State: Unknown}, cpu: Quota{State: Unknown}, pids: Bytes{State: Unknown}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for dir, c := range map[string]Chain{"up": up(tt.levels), "down": down(tt.levels)} {
				assert.Equal(t, tt.memory, c.Memory(false), dir)
				assert.Equal(t, tt.cpu, c.CPU(false), dir)
				assert.Equal(t, tt.pids, c.Pids(false), dir)
			}
		})
	}
}

// TestChainHierarchical: a v1 memory.stat hierarchical_memory_limit stands in
// for hidden levels where it is lower than everything visible: read at the
// leaf going up, at the top going down, and dropped below a cut.
func TestChainHierarchical(t *testing.T) {
	stat := func(limit uint64) own.Stat {
		return own.Stat{Status: own.Set, Limits: cgv1.MemoryStatLimits{HierarchicalMemoryLimit: limit, HasHierarchicalMemoryLimit: true}}
	}
	unlimited := uint64(9223372036854771712)
	leaf := level{"/c", own.Values{MemoryLimit: status(own.Unlimited), MemoryStat: stat(192 << 20)}}
	top := level{"/", own.Values{MemoryLimit: status(own.Unlimited)}}
	assert.Equal(t, Bytes{Limited, 192 << 20, SourceHierarchicalMemoryLimit}, memory(up([]level{leaf, top})))

	visible := level{"/c", own.Values{MemoryLimit: set(128 << 20), MemoryStat: stat(192 << 20)}}
	assert.Equal(t, Bytes{Limited, 128 << 20, "/c"}, memory(up([]level{visible, top})), "not lower than what is visible")

	assert.True(t, Unbound(stat(unlimited), true))
	assert.False(t, Unbound(stat(1<<30), false))

	topWithStat := level{"/", own.Values{MemoryLimit: status(own.Unlimited), MemoryStat: stat(192 << 20), UseHierarchy: flag(true)}}
	child := level{"/c", own.Values{MemoryLimit: status(own.Unlimited)}}
	assert.Equal(t, Bytes{Limited, 192 << 20, SourceHierarchicalMemoryLimit}, memory(down([]level{child, topWithStat})))
	topWithStat.v.UseHierarchy = flag(false)
	assert.Equal(t, Bytes{State: Unlimited}, memory(down([]level{child, topWithStat})), "cut below the top")
}

// TestChainDirectionsAgree combines random chains both ways: the walk and
// the scan must give the same effective values, state and source.
func TestChainDirectionsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		levels := randomChain(rng)
		u, d := up(levels), down(levels)
		for _, enabled := range []bool{false, true} {
			if !assert.Equal(t, u.Memory(enabled), d.Memory(enabled), "memory, chain %d: %+v", i, levels) ||
				!assert.Equal(t, u.High(enabled), d.High(enabled), "high, chain %d", i) ||
				!assert.Equal(t, u.Swap(enabled), d.Swap(enabled), "swap, chain %d", i) ||
				!assert.Equal(t, u.CPU(enabled), d.CPU(enabled), "cpu, chain %d: %+v", i, levels) ||
				!assert.Equal(t, u.Pids(enabled), d.Pids(enabled), "pids, chain %d", i) ||
				!assert.Equal(t, u.CPUSet(), d.CPUSet(), "cpuset, chain %d", i) {
				return
			}
		}
	}
}

// randomChain makes a chain of one to six levels, leaf first, with values
// drawn from a few, so that ties are common; use_hierarchy only above the
// leaf, as the walk reads it.
func randomChain(rng *rand.Rand) []level {
	statuses := []own.Status{own.NotRead, own.Absent, own.Unlimited, own.Set, own.Set, own.Set, own.BadValue, own.ReadError}
	number := func() own.Number {
		return own.Number{Status: statuses[rng.IntN(len(statuses))], Value: uint64(rng.IntN(3)+1) << 20}
	}
	sets := []cgroup.CPUSet{mustCPUs("0-1"), mustCPUs("2")}
	n := rng.IntN(6) + 1
	levels := make([]level, n)
	path := ""
	for i := n - 1; i >= 0; i-- {
		path += "/" + strconv.Itoa(i)
		v := own.Values{MemoryLimit: number(), MemoryHigh: number(), Swap: number(), Pids: number()}
		q := number()
		v.CPUQuota = own.Quota{Status: q.Status, Quota: uint64(rng.IntN(3)+1) * 50000, Period: uint64(rng.IntN(2)+1) * 100000}
		c := number()
		v.CPUSet = own.CPUs{Status: c.Status, Set: sets[rng.IntN(len(sets))]}
		if i > 0 {
			v.UseHierarchy = own.Flag{Status: statuses[rng.IntN(len(statuses))], On: rng.IntN(4) > 0}
		}
		levels[i] = level{path: path, v: v}
	}
	return levels
}

func mustCPUs(list string) cgroup.CPUSet {
	s, err := cgroup.ParseCPUList([]byte(list))
	if err != nil {
		panic(err)
	}
	return s
}

func memory(c Chain) Bytes { return c.Memory(true) }
