package node_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/truelimit/truelimit/internal/escapetest"
	"github.com/truelimit/truelimit/internal/readfile"
	"github.com/truelimit/truelimit/limits/node"
)

const escapeSrc = "../../testdata/v2-k8s-systemd-pod-limit-leaf-max"

// scanInside scans root, failing if the scan hangs or shows the value
// outside the root.
func scanInside(t *testing.T, what, root string) *node.Tree {
	t.Helper()
	done := make(chan *node.Tree)
	go func() {
		tree, _ := node.Scan(node.WithRoot(root))
		done <- tree
	}()
	select {
	case tree := <-done:
		b, _ := json.Marshal(tree)
		if s := fmt.Sprintf("%+v", tree) + string(b); strings.Contains(s, escapetest.Outside) {
			t.Fatalf("%s: Scan reports the value outside the root: %s", what, s)
		}
		return tree
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: Scan hangs", what)
	}
	return nil
}

// TestScanStaysInTheRoot: the escapes of issue 11 (file, leaf- and
// middle-directory links out of the root, a FIFO) never show in a Scan, the
// Scan finishes, and absolute links inside the root (the mount point itself
// a link) scan as the original tree does. With openat2 and with the walk.
func TestScanStaysInTheRoot(t *testing.T) {
	want := scanInside(t, "original", escapeSrc)
	for _, walk := range []bool{false, true} {
		restore := readfile.SetForceWalk(walk)
		for _, c := range escapetest.Cases(t, escapeSrc) {
			got := scanInside(t, c.Name, c.Root)
			if c.Legit && c.Name == "absolute-mount-point-link-inside-root" && len(got.Cgroups) != len(want.Cgroups) {
				t.Errorf("%s: %d cgroups, want %d", c.Name, len(got.Cgroups), len(want.Cgroups))
			}
		}
		rng := rand.New(rand.NewPCG(11, 2))
		for range 20 {
			scanInside(t, "random", escapetest.Random(t, escapeSrc, rng, 1+rng.IntN(6)))
		}
		restore()
	}
}
