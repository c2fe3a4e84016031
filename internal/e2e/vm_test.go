//go:build e2e

package e2e

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/truelimit/truelimit/internal/e2e/probe"
)

// scenario is one VM boot: how to start it, its initramfs, and the checks
// on the probe results it prints.
type scenario struct {
	name    string
	machine machine
	image   func(t *testing.T) string
	checks  []check
}

// check verifies one probe result, by label.
type check struct {
	label  string
	verify func(t *testing.T, out probe.Output)
}

// TestVM boots every scenario of the matrix one after the other, so each
// boot time is that of a boot alone, and runs a subtest per probe result.
func TestVM(t *testing.T) {
	var all []scenario
	for _, kernel := range []string{"6.1", "6.12"} {
		all = append(all, v2Scenario(kernel), cgroupnsScenario(kernel), usageScenario(kernel))
	}
	all = append(all, usagePSIOffScenario(), v1Scenario(), hybridScenario())
	for _, kernel := range []string{"6.1", "6.12"} {
		all = append(all, memoryOnV2Scenario(kernel))
	}
	all = append(all, pressureScenario("6.1", 2, 6), pressureScenario("6.12", 10, 10))
	all = append(all, runcScenario("6.1"), systemdScenario(), goMaxProcsScenario())
	all = append(all, podmanCrunScenario(), podmanRuncScenario(), dockerNspawnScenario(), runtimesV1Scenario())
	for _, s := range all {
		t.Run(s.name, func(t *testing.T) {
			results := boot(t, s.name, s.machine, s.image(t))
			want := map[string]bool{}
			for _, c := range s.checks {
				want[c.label] = true
				t.Run(c.label, func(t *testing.T) {
					c.verify(t, result(t, results, c.label))
				})
			}
			var extra []string
			for label := range results {
				if !want[label] {
					extra = append(extra, label)
				}
			}
			sort.Strings(extra)
			assert.Empty(t, extra, "results nobody checks")
		})
	}
}

// shellVars renders name=value pairs as shell assignments, single-quoted.
func shellVars(pairs ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		fmt.Fprintf(&b, "%s='%s'\n", pairs[i], pairs[i+1])
	}
	return b.String()
}

// podSlice returns the slice unit kubelet's systemd driver makes for a pod
// and its cgroup path (systemd.slice(5): each '-' is a level; the UID's
// dashes become '_').
func podSlice(qos, uid string) (name, path string) {
	name = "kubepods-" + qos + "-pod" + strings.ReplaceAll(uid, "-", "_") + ".slice"
	return name, "/kubepods.slice/kubepods-" + qos + ".slice/" + name
}

// Pod UIDs and container IDs of the scenarios.
var (
	uidA = "8a3c1f2e-5b7d-4e9a-b1c3-2d4f6a8b0c1e"
	uidB = "f47ac10b-58cc-4372-a567-0e02b2c3d479"
	uidC = "6ba7b810-9dad-41d1-80b4-00c04fd430c8"
	idA  = strings.Repeat("a1", 32)
	idB  = strings.Repeat("b2", 32)
	idC  = strings.Repeat("c3", 32)
	idD  = strings.Repeat("d4", 32)
)
