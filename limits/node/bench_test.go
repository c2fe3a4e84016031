package node_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"testing"

	"github.com/truelimit/truelimit/internal/readfile"
	"github.com/truelimit/truelimit/limits/node"
)

// benchPods is the size of the benchmark node: 2,500 pods of three
// containers, with their pod and QoS slices, about 10,000 cgroups.
const benchPods = 2500

// benchTree is the benchmark node and the NUL-terminated paths of the files
// one Scan of it reads, in order.
type benchTree struct {
	kubeletTree
	paths [][]byte
}

// The benchmark node is written once per test process, in a directory
// TestMain removes: writing its 90,000 files takes some 20 s here and
// removing them as long, too much to repeat for every -count of both
// benchmarks, which moreover then read the very same files.
var (
	benchOnce  sync.Once
	bench      benchTree
	benchSetup error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.root != "" {
		if err := os.RemoveAll(bench.root); err != nil {
			fmt.Fprintln(os.Stderr, "removing the benchmark node:", err)
		}
	}
	os.Exit(code)
}

// benchNode returns the benchmark node, writing it on first use: it scans
// it once to check the answer and record the files read, and flushes the
// filesystem, so that the writeback of the new files, and of the access
// times that first scan updates, does not land inside a timing.
func benchNode(b *testing.B) benchTree {
	benchOnce.Do(func() {
		root, err := os.MkdirTemp("", "node-bench-")
		if err != nil {
			benchSetup = err
			return
		}
		bench.root = root
		bench.kubeletTree = writeKubeletTree(b, root, benchPods)
		stop := node.TraceReads(func(p []byte) { bench.paths = append(bench.paths, bytes.Clone(p)) })
		tree, err := node.Scan(node.WithRoot(root))
		stop()
		switch {
		case err != nil:
			benchSetup = err
		case len(tree.Cgroups) != len(bench.cgroups) || tree.Lookup("/kubepods.slice").Effective.Memory.Value != allocatable:
			benchSetup = fmt.Errorf("the benchmark node answers %d cgroups of %d", len(tree.Cgroups), len(bench.cgroups))
		default:
			benchSetup = syncTree(root)
		}
	})
	if benchSetup != nil || len(bench.paths) == 0 {
		b.Fatal("writing the benchmark node:", benchSetup)
	}
	return bench
}

func BenchmarkScan(b *testing.B) {
	bt := benchNode(b)
	b.ReportAllocs()
	for b.Loop() {
		tree, err := node.Scan(node.WithRoot(bt.root))
		if err != nil || len(tree.Cgroups) != len(bt.cgroups) {
			b.Fatalf("%d cgroups, %v", len(tree.Cgroups), err)
		}
	}
	b.ReportMetric(float64(len(bt.cgroups)), "cgroups/op") // after the loop, which resets metrics
}

// BenchmarkScanIOBaseline is the floor under BenchmarkScan: exactly the
// files one Scan reads, each opened by its path, read as limits reads an
// interface file and closed, in Scan's order; nothing listed or parsed.
func BenchmarkScanIOBaseline(b *testing.B) {
	// Scan opens each file beneath its tree (openat2 and an fstat for the
	// file type): its floor is the same files opened beneath the root. The
	// plain opens show what containment costs.
	for _, contained := range []bool{true, false} {
		name := "contained"
		if !contained {
			name = "uncontained"
		}
		b.Run(name, func(b *testing.B) {
			bt := benchNode(b)
			read := readfile.Read
			if contained {
				var root readfile.Root
				root.Set(bt.root, readfile.Contained())
				defer root.Close()
				read = root.Read
			}
			b.ReportAllocs()
			buf := make([]byte, 0, 4096)
			for b.Loop() {
				for _, p := range bt.paths {
					var err error
					if buf, err = read(p, buf, 64<<10, readfile.AtShortRead); err != nil && !errors.Is(err, fs.ErrNotExist) {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(len(bt.paths)), "files/op") // after the loop, which resets metrics
		})
	}
}
