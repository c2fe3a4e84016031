package v2

import (
	"testing"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/parsetest"
)

// hostCPUStat is /sys/fs/cgroup/unified/cpu.stat, the root cgroup, on a
// Linux 6.18 hybrid host: usage only, no bandwidth lines.
const hostCPUStat = `usage_usec 16152153666
user_usec 9181665929
system_usec 6970487737
nice_usec 0
`

// throttledCPUStat has the shape of cpu.stat of a cgroup with the cpu
// controller enabled and a cpu.max quota it keeps running into
// (Documentation/admin-guide/cgroup-v2.rst, "cpu.stat").
const throttledCPUStat = `usage_usec 283946157
user_usec 225310066
system_usec 58636091
nice_usec 0
core_sched.force_idle_usec 0
nr_periods 52840
nr_throttled 8127
throttled_usec 602349786
nr_bursts 0
burst_usec 0
`

func TestParseCPUStat(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    CPUStatCounters
		wantErr error
	}{
		{"host root, no cpu controller", hostCPUStat, CPUStatCounters{UsageUsec: 16152153666, HasUsage: true}, nil},
		{"throttled", throttledCPUStat, CPUStatCounters{
			UsageUsec: 283946157, NrPeriods: 52840, NrThrottled: 8127, ThrottledUsec: 602349786,
			HasUsage: true, HasPeriods: true, HasThrottled: true, HasThrottledUsec: true,
		}, nil},
		{"whole keys: user_usec and burst_usec are not read", "user_usec 1\nburst_usec 2\nnr_bursts 3\n", CPUStatCounters{}, nil},
		{"first duplicate wins", "nr_throttled 1\nnr_throttled 2\n", CPUStatCounters{NrThrottled: 1, HasThrottled: true}, nil},
		{"CRLF and tabs", "usage_usec\t5\r\nnr_periods  6\r\n", CPUStatCounters{UsageUsec: 5, NrPeriods: 6, HasUsage: true, HasPeriods: true}, nil},
		{"empty", "", CPUStatCounters{}, nil},
		{"garbage value", "usage_usec 1.5\n", CPUStatCounters{}, cgroup.ErrSyntax},
		{"missing value", "usage_usec 1\nthrottled_usec\n", CPUStatCounters{}, cgroup.ErrSyntax},
		{"overflow", "throttled_usec 18446744073709551616\n", CPUStatCounters{}, cgroup.ErrRange},
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
