package limits_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/escapetest"
	"github.com/truelimit/truelimit/internal/readfile"
	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/report"
)

const escapeSrc = "../testdata/v2-k8s-systemd-pod-limit-leaf-max"

// withResolution runs fn with openat2 and again with the component walk.
func withResolution(t *testing.T, fn func(t *testing.T)) {
	for _, walk := range []bool{false, true} {
		t.Run(map[bool]string{false: "openat2", true: "walk"}[walk], func(t *testing.T) {
			defer readfile.SetForceWalk(walk)()
			fn(t)
		})
	}
}

// finish runs fn and fails if it does not return within a few seconds: a
// FIFO must never hang a read.
func finish(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s hangs", what)
	}
}

// assertInside fails if the value outside the root shows in v.
func assertInside(t *testing.T, what string, v any) {
	t.Helper()
	s := fmt.Sprintf("%+v", v)
	if b, err := json.Marshal(v); err == nil {
		s += string(b)
	}
	if strings.Contains(s, escapetest.Outside) {
		t.Fatalf("%s reports the value outside the root: %s", what, s)
	}
}

// TestReadsStayInTheRoot plants each escape of issue 11 in a copy of a
// tree: a file link (relative, absolute host path), a leaf- and a
// middle-directory link out of the root, a /proc file link, a FIFO; and
// absolute links that are legitimate inside the root. Detect, ForCgroup,
// the setters' detection and the JSON report never show the outside value,
// all finish, and the legitimate links give the original answer.
func TestReadsStayInTheRoot(t *testing.T) {
	want, err := limits.Detect(limits.WithRoot(escapeSrc))
	require.NoError(t, err)
	require.Equal(t, limits.Limited, want.Memory.Limit.State)
	withResolution(t, func(t *testing.T) {
		for _, c := range escapetest.Cases(t, escapeSrc) {
			t.Run(c.Name, func(t *testing.T) {
				var res limits.Result
				var err error
				finish(t, "Detect", func() { res, err = limits.Detect(limits.WithRoot(c.Root), limits.WithWalk()) })
				require.NoError(t, err)
				assertInside(t, "Detect", res)
				js, err := report.JSON(res, nil)
				require.NoError(t, err)
				assertInside(t, "report.JSON", string(js))
				if c.Legit {
					assert.Equal(t, want.Memory, res.Memory)
					assert.Equal(t, want.CPU.Limit, res.CPU.Limit)
					assert.Equal(t, want.Pids, res.Pids)
				}
				if c.Name == "fifo" {
					assert.Contains(t, diagnosticCodes(res), limits.CodeReadError, "%+v", res.Diagnostics)
				}

				finish(t, "ForCgroup", func() { res, err = limits.ForCgroup(c.Leaf, limits.FormCgroupfs, limits.WithRoot(c.Root)) })
				if c.DirLink {
					var pathErr *limits.CgroupPathError
					require.True(t, errors.As(err, &pathErr), "a cgroup directory that is a link: %v", err)
				} else {
					require.NoError(t, err)
				}
				assertInside(t, "ForCgroup", res)
				if c.Legit {
					assert.Equal(t, want.Memory.Limit, res.Memory.Limit)
				}

				var s limits.Setting
				finish(t, "SetGoMemLimit", func() {
					var undo func()
					s, undo, err = limits.SetGoMemLimit(limits.WithRoot(c.Root), limits.WithHostMemoryFallback())
					if undo != nil {
						undo()
					}
				})
				assertInside(t, "SetGoMemLimit", s)
			})
		}
	})
}

// TestRandomLinksStayInTheRoot replaces random entries of a copy of a tree
// with links out of the root and into it (relative and absolute) and FIFOs,
// many times over with a fixed seed: the value outside the root is never
// reported, and every call finishes.
func TestRandomLinksStayInTheRoot(t *testing.T) {
	iterations := 60
	if testing.Short() {
		iterations = 15
	}
	withResolution(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(11, 1))
		for i := range iterations {
			root := escapetest.Random(t, escapeSrc, rng, 1+rng.IntN(6))
			finish(t, "Detect", func() {
				res, _ := limits.Detect(limits.WithRoot(root), limits.WithWalk())
				assertInside(t, fmt.Sprint("Detect, iteration ", i), res)
				res, _ = limits.ForCgroup("/kubepods.slice/kubepods-burstable.slice", limits.FormCgroupfs, limits.WithRoot(root))
				assertInside(t, fmt.Sprint("ForCgroup, iteration ", i), res)
			})
		}
	})
}
