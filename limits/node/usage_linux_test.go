//go:build linux

package node_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/internal/cgtest"
	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/node"
)

// TestScanUsageRealKernel charges two sibling children of a 256 MiB v1
// memory cgroup with 100 and 40 MiB of tmpfs pages (dd into /dev/shm from
// inside each child: the pages stay charged to it once dd exits, and no
// process runs while the scan reads), and scans the parent with WithUsage.
// The parent binds both children: their headroom is the parent's, 256 MiB
// minus the parent's memory.usage_in_bytes, which holds both, as
// limits.ForCgroupUsage finds walking up from each: all read between two
// reads of the parent's usage, which per-CPU charge batches move by a page
// or so.
func TestScanUsageRealKernel(t *testing.T) {
	const limit, shm = 256 << 20, "/dev/shm"
	if st, err := os.Stat(shm); err != nil || !st.IsDir() {
		t.Skip("no /dev/shm:", err)
	}
	parent := cgtest.New(t, "memory")
	parent.Set(t, "memory", "memory.limit_in_bytes", strconv.Itoa(limit))
	children := map[*cgtest.Group]uint64{parent.Child(t, "first"): 100, parent.Child(t, "second"): 40}
	for g, mib := range children {
		file := filepath.Join(shm, filepath.Base(parent.Path("memory"))+"-"+filepath.Base(g.Path("memory")))
		t.Cleanup(func() { _ = os.Remove(file) })
		out, err := g.Command(t, "dd", "if=/dev/zero", "of="+file, "bs=1M", "count="+strconv.FormatUint(mib, 10)).CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	usage := func(g *cgtest.Group) uint64 {
		v, err := strconv.ParseUint(strings.TrimSpace(g.Read(t, "memory", "memory.usage_in_bytes")), 10, 64)
		require.NoError(t, err)
		return v
	}

	top := parent.Path("memory")
	before := usage(parent)
	tree, err := node.Scan(node.WithTop(top), node.WithUsage())
	walkedUp := map[string]limits.Headroom{}
	for g := range children {
		walkedUp[g.Path("memory")] = forCgroupUsage(t, "/", g.Path("memory")).Headroom
	}
	after := usage(parent)
	require.NoError(t, err)
	lo, hi := uint64(limit)-min(limit, max(before, after)), uint64(limit)-min(limit, min(before, after))

	p := tree.Lookup(top)
	require.NotNil(t, p, "%+v", tree.Diagnostics)
	require.NotNil(t, p.Usage)
	current := p.Usage.Current.Value
	assert.True(t, min(before, after) <= current && current <= max(before, after),
		"memory.usage_in_bytes %d, before %d, after %d (per-CPU charge batches drain)", current, before, after)
	h := p.Usage.Headroom
	assert.Equal(t, limits.Headroom{Known: true, Bytes: limit - min(limit, current), Source: top}, h)
	for g, mib := range children {
		cg := tree.Lookup(g.Path("memory"))
		require.NotNil(t, cg)
		require.NotNil(t, cg.Usage)
		assert.Equal(t, h, cg.Usage.Headroom, "the parent binds %s: its usage holds the sibling's", cg.Path)
		up := walkedUp[cg.Path]
		assert.Equal(t, top, up.Source, "ForCgroupUsage of %s", cg.Path)
		assert.True(t, lo <= up.Bytes && up.Bytes <= hi, "ForCgroupUsage of %s: %d, not in [%d, %d]", cg.Path, up.Bytes, lo, hi)
		assert.GreaterOrEqual(t, cg.Usage.Current.Value, mib<<20, "the tmpfs pages written from %s", cg.Path)
	}
}
