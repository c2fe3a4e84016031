package limits_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/limits"
)

func TestSandboxBudget(t *testing.T) {
	cpus := func(list string) cgroup.CPUSet {
		s, err := cgroup.ParseCPUList([]byte(list))
		require.NoError(t, err)
		return s
	}
	host := limits.Host{MemTotal: 8 << 30, OnlineCPUs: 8, AffinityCPUs: 8}
	tests := []struct {
		name       string
		res        limits.Result
		minCPUs    int
		wantMem    uint64
		wantMemSrc string
		wantCPUs   int
		wantCPUSrc string
	}{
		{
			name: "no limits: the host", res: limits.Result{Host: host},
			wantMem: 8 << 30, wantMemSrc: limits.SourceHost, wantCPUs: 8, wantCPUSrc: limits.SourceHost,
		},
		{
			name: "pod limits",
			res: limits.Result{Host: host,
				Memory: limits.Memory{Limit: limits.Limit{State: limits.Limited, Value: 256 << 20, Source: "/pod"}},
				CPU:    limits.CPU{Limit: limits.CPULimit{State: limits.Limited, Quota: 150000, Period: 100000, Source: "/pod"}}},
			wantMem: 256 << 20, wantMemSrc: "/pod", wantCPUs: 2, wantCPUSrc: "cpu quota of /pod (1.5 CPUs, rounded up)",
		},
		{
			name: "a limit above the host's memory is capped by it",
			res: limits.Result{Host: host,
				Memory: limits.Memory{Limit: limits.Limit{State: limits.Limited, Value: 64 << 30, Source: "/pod"}}},
			wantMem: 8 << 30, wantMemSrc: limits.SourceHost, wantCPUs: 8, wantCPUSrc: limits.SourceHost,
		},
		{
			name: "cpuset tighter than the quota",
			res: limits.Result{Host: host,
				CPU: limits.CPU{
					Limit: limits.CPULimit{State: limits.Limited, Quota: 400000, Period: 100000, Source: "/pod"},
					Set:   limits.CPUSetLimit{State: limits.Limited, CPUs: cpus("2-3"), Source: "/pod/c"}}},
			wantMem: 8 << 30, wantMemSrc: limits.SourceHost, wantCPUs: 2, wantCPUSrc: "cpuset of /pod/c",
		},
		{
			name: "the caller's minimum",
			res: limits.Result{Host: host,
				CPU: limits.CPU{Limit: limits.CPULimit{State: limits.Limited, Quota: 50000, Period: 100000, Source: "/pod"}}},
			minCPUs: 2,
			wantMem: 8 << 30, wantMemSrc: limits.SourceHost, wantCPUs: 2, wantCPUSrc: "minimum",
		},
		{
			name: "nothing known", res: limits.Result{},
			wantMem: 0, wantMemSrc: "", wantCPUs: 1, wantCPUSrc: "minimum",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.res.SandboxBudget(tt.minCPUs)
			assert.Equal(t, tt.wantMem, b.MemoryBytes)
			assert.Equal(t, tt.wantMemSrc, b.MemorySource)
			assert.Equal(t, tt.wantCPUs, b.CPUs)
			assert.Equal(t, tt.wantCPUSrc, b.CPUSource)
		})
	}
}
