package node_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/truelimit/truelimit/internal/readfile"
	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/node"
)

// benchPods is the size of the benchmark node: 2,500 pods of three
// containers, with their pod and QoS slices, about 10,000 cgroups.
const benchPods = 2500

// benchTree is the benchmark node and the NUL-terminated paths of the files
// one Scan of it reads, in order, and those one Scan with WithUsage reads.
type benchTree struct {
	kubeletTree
	paths      [][]byte
	usagePaths [][]byte
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
// it once without and once with WithUsage to check the answers and record
// the files read, and flushes the filesystem, so that the writeback of the
// new files, and of the access times those scans update, does not land
// inside a timing.
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
		var usage *node.Tree
		if err == nil {
			stop = node.TraceReads(func(p []byte) { bench.usagePaths = append(bench.usagePaths, bytes.Clone(p)) })
			usage, err = node.Scan(node.WithRoot(root), node.WithUsage())
			stop()
		}
		switch {
		case err != nil:
			benchSetup = err
		case len(tree.Cgroups) != len(bench.cgroups) || tree.Lookup("/kubepods.slice").Effective.Memory.Value != allocatable:
			benchSetup = fmt.Errorf("the benchmark node answers %d cgroups of %d", len(tree.Cgroups), len(bench.cgroups))
		case len(usage.Cgroups) != len(bench.cgroups) || usage.Lookup("/kubepods.slice").Usage.Headroom != kubepodsRoom:
			benchSetup = fmt.Errorf("the benchmark node's usage scan answers %d cgroups of %d, kubepods.slice %+v",
				len(usage.Cgroups), len(bench.cgroups), usage.Lookup("/kubepods.slice").Usage)
		default:
			benchSetup = syncTree(root)
		}
	})
	if benchSetup != nil || len(bench.paths) == 0 {
		b.Fatal("writing the benchmark node:", benchSetup)
	}
	return bench
}

// kubepodsRoom is the headroom of the benchmark node's kubepods.slice.
var kubepodsRoom = limits.Headroom{Known: true, Bytes: gib, Source: "/kubepods.slice"}

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

// The processes of the benchmark node, for BenchmarkScanProcessViews: one per
// container, written into the same tree once that benchmark runs. Scan
// without WithProcessViews reads none of these files (nor lists the
// containers' directories, which have no subdirectories), so
// BenchmarkScan's cost does not depend on them.
var (
	benchProcsOnce  sync.Once
	benchProcs      int
	benchProcsSetup error
)

// containerMountinfo is the mountinfo of a containerd container as the host
// reads it, its cgroup2 mount rooted at its own cgroup (a private cgroup
// namespace): %s is the container's cgroup path.
const containerMountinfo = `1199 1180 0:112 / / rw,relatime master:560 - overlay overlay rw,lowerdir=/var/lib/containerd/l1:/var/lib/containerd/l2,upperdir=/var/lib/containerd/u,workdir=/var/lib/containerd/w
1200 1199 0:115 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
1201 1199 0:116 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
1202 1201 0:117 / /dev/pts rw,nosuid,noexec,relatime - devpts devpts rw,gid=5,mode=620,ptmxmode=666
1203 1201 0:110 / /dev/mqueue rw,nosuid,nodev,noexec,relatime - mqueue mqueue rw
1204 1199 0:118 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro
1205 1204 0:30 %s /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate,memory_recursiveprot
1206 1199 253:1 /var/lib/kubelet/pods/uid/etc-hosts /etc/hosts rw,relatime - ext4 /dev/vda1 rw
1207 1201 253:1 /var/lib/kubelet/pods/uid/containers/app/0 /dev/termination-log rw,relatime - ext4 /dev/vda1 rw
1208 1199 253:1 /var/lib/containerd/sandboxes/id/hostname /etc/hostname rw,relatime - ext4 /dev/vda1 rw
1209 1199 253:1 /var/lib/containerd/sandboxes/id/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/vda1 rw
1210 1201 0:109 / /dev/shm rw,nosuid,nodev,noexec,relatime - tmpfs shm rw,size=65536k
1211 1199 0:108 / /run/secrets/kubernetes.io/serviceaccount ro,relatime - tmpfs tmpfs rw,size=7901884k
1212 1200 0:115 /bus /proc/bus ro,nosuid,nodev,noexec,relatime - proc proc rw
1213 1200 0:116 /null /proc/kcore rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
`

// benchNodeProcesses adds to the benchmark node a process in each
// container (cgroup.procs, and its /proc/<pid>/mountinfo and cgroup) and
// returns how many containers there are.
func benchNodeProcesses(b *testing.B, bt benchTree) int {
	benchProcsOnce.Do(func() {
		for i, path := range bt.cgroups {
			if !strings.HasSuffix(path, ".scope") {
				continue
			}
			pid := strconv.Itoa(1000 + i)
			files := map[string]string{
				filepath.Join("sys/fs/cgroup", path, "cgroup.procs"): pid + "\n",
				filepath.Join("proc", pid, "mountinfo"):              fmt.Sprintf(containerMountinfo, path),
				filepath.Join("proc", pid, "cgroup"):                 "0::" + path + "\n",
			}
			for name, content := range files {
				full := filepath.Join(bt.root, name)
				if benchProcsSetup = os.MkdirAll(filepath.Dir(full), 0o755); benchProcsSetup == nil {
					benchProcsSetup = os.WriteFile(full, []byte(content), 0o644)
				}
				if benchProcsSetup != nil {
					return
				}
			}
			benchProcs++
		}
		benchProcsSetup = syncTree(bt.root)
	})
	if benchProcsSetup != nil || benchProcs == 0 {
		b.Fatal("writing the benchmark node's processes:", benchProcsSetup)
	}
	return benchProcs
}

// BenchmarkScanProcessViews is BenchmarkScan with WithProcessViews, each
// container running a process in a private cgroup namespace that cannot
// see its pod's pids.max (and some pods' memory and CPU limits).
func BenchmarkScanProcessViews(b *testing.B) {
	bt := benchNode(b)
	procs := benchNodeProcesses(b, bt)
	b.ReportAllocs()
	for b.Loop() {
		tree, err := node.Scan(node.WithRoot(bt.root), node.WithProcessViews())
		if err != nil || len(tree.Cgroups) != len(bt.cgroups) || len(tree.Diagnostics) != procs {
			b.Fatalf("%d cgroups, %d diagnostics, %v", len(tree.Cgroups), len(tree.Diagnostics), err)
		}
	}
	b.ReportMetric(float64(procs), "processes/op")
}

// BenchmarkScanUsage is BenchmarkScan with WithUsage: one memory.current
// more per cgroup, and the headroom of each.
func BenchmarkScanUsage(b *testing.B) {
	bt := benchNode(b)
	b.ReportAllocs()
	for b.Loop() {
		tree, err := node.Scan(node.WithRoot(bt.root), node.WithUsage())
		if err != nil || len(tree.Cgroups) != len(bt.cgroups) || tree.Cgroups[len(tree.Cgroups)-1].Usage == nil {
			b.Fatalf("%d cgroups, %v", len(tree.Cgroups), err)
		}
	}
	b.ReportMetric(float64(len(bt.cgroups)), "cgroups/op")
}

// BenchmarkScanIOBaseline is the floor under BenchmarkScan: exactly the
// files one Scan reads, each opened by its path, read as limits reads an
// interface file and closed, in Scan's order; nothing listed or parsed.
func BenchmarkScanIOBaseline(b *testing.B) {
	ioBaseline(b, func(bt benchTree) [][]byte { return bt.paths })
}

// BenchmarkScanUsageIOBaseline is the floor under BenchmarkScanUsage, as
// BenchmarkScanIOBaseline is under BenchmarkScan: the files one Scan with
// WithUsage reads.
func BenchmarkScanUsageIOBaseline(b *testing.B) {
	ioBaseline(b, func(bt benchTree) [][]byte { return bt.usagePaths })
}

// ioBaseline reads the files of the benchmark node that paths picks, each
// opened by its path, read as limits reads an interface file and closed, in
// order.
func ioBaseline(b *testing.B, paths func(benchTree) [][]byte) {
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
			files := paths(bt)
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
				for _, p := range files {
					var err error
					if buf, err = read(p, buf, 64<<10, readfile.AtShortRead); err != nil && !errors.Is(err, fs.ErrNotExist) {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(len(files)), "files/op") // after the loop, which resets metrics
		})
	}
}
