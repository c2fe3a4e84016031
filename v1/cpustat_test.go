package v1

import (
	"testing"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/parsetest"
)

// hostCPUStat is /sys/fs/cgroup/cpu/cpu.stat, the v1 root, on a Linux 6.18
// hybrid host: never throttled, with the burst lines of newer kernels.
const hostCPUStat = "nr_periods 0\nnr_throttled 0\nthrottled_time 0\nnr_bursts 0\nburst_time 0\n"

// throttledCPUStat has the shape of cpu.stat of a container with a
// cpu.cfs_quota_us it keeps running into, on Linux 3.10
// (Documentation/scheduler/sched-bwc.rst, "Statistics").
const throttledCPUStat = "nr_periods 4217\nnr_throttled 1203\nthrottled_time 93518425634\n"

func TestParseCPUStat(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    CPUStatCounters
		wantErr error
	}{
		{"host root", hostCPUStat, CPUStatCounters{HasPeriods: true, HasThrottled: true, HasThrottledTime: true}, nil},
		{"throttled", throttledCPUStat, CPUStatCounters{
			NrPeriods: 4217, NrThrottled: 1203, ThrottledTimeNs: 93518425634,
			HasPeriods: true, HasThrottled: true, HasThrottledTime: true,
		}, nil},
		{"whole keys: throttled_usec and burst_time are not read", "throttled_usec 1\nburst_time 2\n", CPUStatCounters{}, nil},
		{"first duplicate wins", "nr_periods 1\nnr_periods 2\n", CPUStatCounters{NrPeriods: 1, HasPeriods: true}, nil},
		{"CRLF and tabs", "nr_periods\t5\r\nthrottled_time  6\r\n",
			CPUStatCounters{NrPeriods: 5, ThrottledTimeNs: 6, HasPeriods: true, HasThrottledTime: true}, nil},
		{"empty", "", CPUStatCounters{}, nil},
		{"garbage value", "nr_throttled 1.5\n", CPUStatCounters{}, cgroup.ErrSyntax},
		{"missing value", "nr_periods 1\nthrottled_time\n", CPUStatCounters{}, cgroup.ErrSyntax},
		{"overflow", "throttled_time 18446744073709551616\n", CPUStatCounters{}, cgroup.ErrRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCPUStat([]byte(tt.in))
			parsetest.CheckErr(t, err, tt.wantErr)
			if got != tt.want {
				t.Fatalf("ParseCPUStat = %+v, want %+v", got, tt.want)
			}
		})
	}
}
