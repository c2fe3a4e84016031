package main

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRequirements(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []requirement
	}{
		{"memory>=1GiB", []requirement{{name: resMemory, text: "memory>=1GiB", count: 1 << 30}}},
		{"memory>=1073741824", []requirement{{name: resMemory, text: "memory>=1073741824", count: 1 << 30}}},
		{" memory.high >= 512MiB , cpus>=0.5,pids>=100", []requirement{
			{name: resMemoryHigh, text: "memory.high >= 512MiB", count: 512 << 20},
			{name: resCPUs, text: "cpus>=0.5", cpus: 0.5},
			{name: resPids, text: "pids>=100", count: 100}}},
		{"memory>=2B,cpus>=2", []requirement{{name: resMemory, text: "memory>=2B", count: 2}, {name: resCPUs, text: "cpus>=2", cpus: 2}}},
		{"memory>=3KiB", []requirement{{name: resMemory, text: "memory>=3KiB", count: 3 << 10}}},
		{"memory>=16777215TiB", []requirement{{name: resMemory, text: "memory>=16777215TiB", count: 16777215 << 40}}},
		{"cpus>=1.00000000000000000000001", []requirement{{name: resCPUs, text: "cpus>=1.00000000000000000000001", cpus: 1}}},
	} {
		got, err := parseRequirements(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
	for _, tt := range []struct {
		in   string
		want error
	}{
		{"", ErrRequirementEmpty},
		{"memory>=1GiB,", ErrRequirementEmpty},
		{"memory>1GiB", ErrRequirementOperator},
		{"memory=1GiB", ErrRequirementOperator},
		{"memory<=1GiB", ErrRequirementOperator},
		{"cpu>=2", ErrRequirementName},
		{"Memory>=1GiB", ErrRequirementName},
		{"memory>=1.5GiB", ErrRequirementValue},
		{"memory>=1GB", ErrRequirementValue},
		{"memory>=1gib", ErrRequirementValue},
		{"memory>=-1", ErrRequirementValue},
		{"memory>=", ErrRequirementValue},
		{"memory>=GiB", ErrRequirementValue},
		{"memory>=16777216TiB", ErrRequirementValue},
		{"memory>=18446744073709551616", ErrRequirementValue},
		{"cpus>=1e3", ErrRequirementValue},
		{"cpus>=.5", ErrRequirementValue},
		{"cpus>=2.", ErrRequirementValue},
		{"cpus>=inf", ErrRequirementValue},
		{"cpus>=NaN", ErrRequirementValue},
		{"cpus>=" + strings.Repeat("9", 400), ErrRequirementValue},
		{"pids>=1KiB", ErrRequirementValue},
		{"pids>=1.5", ErrRequirementValue},
		{"memory>=1GiB,memory>=2GiB", ErrRequirementDuplicate},
		{"memory>=>=1", ErrRequirementValue},
	} {
		_, err := parseRequirements(tt.in)
		require.Error(t, err, tt.in)
		assert.ErrorIs(t, err, tt.want, tt.in)
		var re *RequirementError
		require.ErrorAs(t, err, &re, tt.in)
		assert.NotContains(t, err.Error(), "\n", "one line")
	}
}

// FuzzParseRequirements: any input gives requirements or a
// *RequirementError on one line, never a panic; what parses prints back to
// items that parse to the same requirements.
func FuzzParseRequirements(f *testing.F) {
	for _, s := range []string{"memory>=1GiB,cpus>=2", "memory.high>=512MiB", "pids>=10", "cpus>=0.25", "memory>=1", "", ",", "cpus>=1e9", "memory>=99999999999TiB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		reqs, err := parseRequirements(s)
		if err != nil {
			var re *RequirementError
			if !errors.As(err, &re) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("%q: %v is not a one-line *RequirementError", s, err)
			}
			return
		}
		names := map[resource]bool{}
		for _, r := range reqs {
			if names[r.name] {
				t.Fatalf("%q: %s twice", s, r.name)
			}
			names[r.name] = true
			if r.name == resCPUs && (r.cpus < 0 || math.IsInf(r.cpus, 0) || math.IsNaN(r.cpus)) {
				t.Fatalf("%q: cpus %v", s, r.cpus)
			}
			again, err := parseRequirements(r.text)
			if err != nil || len(again) != 1 || again[0] != r {
				t.Fatalf("%q: item %q parses to %v, %v", s, r.text, again, err)
			}
		}
	})
}

// TestRequire runs -require on testdata trees that meet it and on trees that
// do not: status 0 and nothing printed, or status 3 and one line on stderr
// naming each unmet requirement, the value, the level that sets it, and
// ancestors-hidden or limit-hidden-from-process when they apply.
func TestRequire(t *testing.T) {
	const pod = "../../testdata/v2-k8s-systemd-pod-limit-leaf-max"
	for _, tt := range []struct {
		args   []string
		status int
		stderr string
	}{
		{[]string{"-root", pod, "-require", "memory>=2GiB,cpus>=2,pids>=100000,memory.high>=1TiB"}, exitOK, ""},
		{[]string{"-root", pod, "-require", "memory>=3GiB,cpus>=2.5,pids>=1"}, exitUnmet,
			"memory>=3GiB: the memory limit is 2GiB, set by pod 2d7d6742 (burstable); " +
				"cpus>=2.5: the CPU limit is 2 CPUs, set by pod 2d7d6742 (burstable)"},
		{[]string{"-root", "../../testdata/v2-systemd-service-cpuset-from-root", "-require", "cpus>=8"}, exitUnmet,
			"cpus>=8: the cpuset has 4 CPUs, set by root"},
		{[]string{"-root", "../../testdata/v2-systemd-service-allowedcpus", "-require", "cpus>=1.5,memory.high>=1GiB"}, exitUnmet,
			"memory.high>=1GiB: memory.high is 768MiB, set by service render-worker"},
		{[]string{"-root", "../../testdata/v1-docker-cgroupfs", "-require", "memory>=1GiB"}, exitUnmet,
			"memory>=1GiB: the memory limit is 256MiB, set by container 44b317d8 (docker); " +
				"ancestors-hidden: a limit above the top visible cgroup may be lower still"},
		{[]string{"-root", "../../testdata/v2-podman-pod-crun-host-view", "-pid", "468", "-require", "memory>=300MiB"}, exitUnmet,
			"memory>=300MiB: the memory limit is 256MiB, set by slice machine-libpod_pod_0e0c5aa4; " +
				"limit-hidden-from-process: the process itself sees a higher limit, or none"},
		{[]string{"-root", "../../testdata/none-debootstrap-chroot", "-require", "memory>=1,pids>=1"}, exitUnmet,
			"memory>=1: the memory limit is unknown; pids>=1: the pids limit is unknown"},
		{[]string{"-root", "../../testdata/v2-user-manager-memory-not-delegated", "-require", "memory>=4GiB,cpus>=1"}, exitUnmet,
			"cpus>=1: the cpuset is unknown"},
		{[]string{"-root", "../../testdata/v2-runsc-literal-under-system-slice", "-require", "memory>=1TiB,cpus>=16"}, exitOK, ""},
	} {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, tt.status, cli(tt.args, &stdout, &stderr), "%v", tt.args)
		assert.Empty(t, stdout.String(), "a guard prints nothing on stdout")
		if tt.stderr == "" {
			assert.Empty(t, stderr.String(), "%v", tt.args)
			continue
		}
		assert.Equal(t, "cgroupinfo: requirement not met: "+tt.stderr+"\n", stderr.String(), "%v", tt.args)
	}
}
