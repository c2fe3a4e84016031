package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	podTree  = "../../testdata/v2-k8s-systemd-pod-limit-leaf-max"
	podSlice = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod2d7d6742_06e6_4c5c_a405_5a05fa9b85a6.slice"
	// the misconfigured tree: runsc joined kubelet's systemd cgroupsPath
	// literally under its own parent, outside the pod slice
	literalTree = "../../testdata/v2-runsc-literal-under-system-slice"
)

func runJSON(t *testing.T, args ...string) output {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, run(append(args, "-json"), &out))
	var o output
	require.NoError(t, json.Unmarshal(out.Bytes(), &o))
	return o
}

func hostMemory(t *testing.T, tree string) uint64 {
	t.Helper()
	data, err := os.ReadFile(tree + "/proc/meminfo")
	require.NoError(t, err)
	var kb uint64
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			_, err := fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb)
			require.NoError(t, err)
		}
	}
	require.NotZero(t, kb)
	return kb * 1024
}

func TestSandboxLimits(t *testing.T) {
	t.Run("systemd cgroupsPath under a limited pod slice", func(t *testing.T) {
		o := runJSON(t, "-root", podTree, "-cgroups-path",
			"kubepods-burstable-pod2d7d6742_06e6_4c5c_a405_5a05fa9b85a6.slice:cri-containerd:d8e642ac67a0b873e64e98295022eb1ac086e2e3ee36c530ce164a25cb429656")
		assert.Equal(t, uint64(2<<30), o.MemoryBytes, "the pod's limit is the sandbox's total memory")
		assert.Equal(t, podSlice, o.MemorySource)
		assert.Equal(t, 2, o.CPUs)
	})
	t.Run("a container scope that does not exist yet", func(t *testing.T) {
		o := runJSON(t, "-root", podTree, "-cgroups-path",
			"kubepods-burstable-pod2d7d6742_06e6_4c5c_a405_5a05fa9b85a6.slice:cri-containerd:0123456789abcdef")
		assert.Equal(t, uint64(2<<30), o.MemoryBytes)
		assert.Contains(t, strings.Join(o.Warnings, "\n"), "cgroup-not-created")
	})
	t.Run("the sandbox joined literally under system.slice", func(t *testing.T) {
		want := hostMemory(t, literalTree)
		for _, args := range [][]string{{"-root", literalTree}, {"-root", literalTree, "-pid", "4242"}} {
			o := runJSON(t, args...)
			assert.Equal(t, want, o.MemoryBytes, "no pod limit applies: the host's memory")
			assert.Equal(t, "host", o.MemorySource)
			assert.Contains(t, strings.Join(o.Warnings, "\n"), "container-outside-pod")
		}
	})
	t.Run("text output", func(t *testing.T) {
		var out bytes.Buffer
		require.NoError(t, run([]string{"-root", literalTree}, &out))
		assert.Contains(t, out.String(), "total memory:")
		assert.Contains(t, out.String(), "warning: container-outside-pod")
	})
	t.Run("bad arguments", func(t *testing.T) {
		for _, args := range [][]string{{"-cgroups-path", "../escape"}, {"-cgroups-path", "/x", "-pid", "1"}, {"extra"}} {
			assert.Error(t, run(append([]string{"-root", podTree}, args...), &bytes.Buffer{}), "%v", args)
		}
	})
}
