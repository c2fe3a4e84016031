//go:build linux

package cgtest

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

// Group is a set of real cgroups with the same path below the test process's
// own cgroup, one in each v1 hierarchy it was created in. All methods are
// safe for concurrent use: a Group is immutable after creation.
type Group struct {
	members map[string]member // controller -> where the group is in it
}

// member is the group in one controller's hierarchy.
type member struct {
	path string // as /proc/<pid>/cgroup shows it
	dir  string // absolute directory
}

var groupCounter atomic.Uint64

// New creates a uniquely named child (truelimit-test-<pid>-<n>) of the test
// process's own cgroup in the v1 hierarchy of each named controller
// ("memory", "cpu", "cpuset", "pids", ...) and removes it in t.Cleanup.
//
// The test is skipped when not running as root or when a controller has no
// writable v1 hierarchy (cgroup v2 only, read-only mount, path outside the
// mount). Controllers co-mounted in one hierarchy (cpu,cpuacct) share one
// directory. A cpuset child gets cpuset.cpus and cpuset.mems copied from its
// parent, because a new v1 cpuset starts empty and refuses tasks with ENOSPC
// (Documentation/admin-guide/cgroup-v1/cpusets.rst).
func New(t testing.TB, controllers ...string) *Group {
	t.Helper()
	if len(controllers) == 0 {
		t.Fatal("cgtest.New: no controller named")
	}
	mountinfo, procCgroup := ownCgroups(t)
	parents := make(map[string]member, len(controllers))
	for _, c := range controllers {
		h, err := locateV1(c, mountinfo, procCgroup)
		if err != nil {
			t.Skipf("cgtest: %v", err)
		}
		dir := h.ownDir()
		if err := syscall.Access(dir, 2 /* W_OK */); err != nil {
			t.Skipf("cgtest: controller %q: own cgroup directory %s is not writable: %v", c, dir, err)
		}
		parents[c] = member{path: h.ownPath, dir: dir}
	}
	name := fmt.Sprintf("truelimit-test-%d-%d", os.Getpid(), groupCounter.Add(1))
	return create(t, parents, name)
}

// ownCgroups skips the test unless it runs as root, and returns the test
// process's mountinfo and /proc/self/cgroup, where its own cgroups are.
func ownCgroups(t testing.TB) (mountinfo, procCgroup []byte) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skipf("cgtest: creating cgroups needs root (euid %d)", os.Geteuid())
	}
	var err error
	if mountinfo, err = os.ReadFile("/proc/self/mountinfo"); err != nil {
		t.Skipf("cgtest: cannot read /proc/self/mountinfo: %v", err)
	}
	if procCgroup, err = os.ReadFile("/proc/self/cgroup"); err != nil {
		t.Skipf("cgtest: cannot read /proc/self/cgroup: %v", err)
	}
	return mountinfo, procCgroup
}

// Unified is the key of the cgroup2 (unified) hierarchy in a Group made by
// NewUnified: g.Path(cgtest.Unified), g.Dir(cgtest.Unified).
const Unified = "unified"

// NewUnified is New for the cgroup2 (unified) hierarchy, mounted alone (v2)
// or beside v1 hierarchies (hybrid): a uniquely named child of the test
// process's own cgroup there (its "0::" line), removed in t.Cleanup. Its key
// in Path, Dir, Set and Read is Unified; Command and HelperCommand start
// processes inside it. No controller is enabled in its
// cgroup.subtree_control, so processes may sit at any level of it and of its
// children. The test is skipped when not running as root or when no writable
// cgroup2 mount holds the process's cgroup.
func NewUnified(t testing.TB) *Group {
	t.Helper()
	mountinfo, procCgroup := ownCgroups(t)
	h, err := locateUnified(mountinfo, procCgroup)
	if err != nil {
		t.Skipf("cgtest: %v", err)
	}
	dir := h.ownDir()
	if err := syscall.Access(dir, 2 /* W_OK */); err != nil {
		t.Skipf("cgtest: unified hierarchy: own cgroup directory %s is not writable: %v", dir, err)
	}
	name := fmt.Sprintf("truelimit-test-%d-%d", os.Getpid(), groupCounter.Add(1))
	return create(t, map[string]member{Unified: {path: h.ownPath, dir: dir}}, name)
}

// Join returns a group made of the hierarchies of groups (a v1 group and a
// NewUnified one, say), so that Command puts a process into all of them.
// It creates and removes nothing: each group is removed by its own cleanup.
// A hierarchy named by two groups is taken from the last.
func Join(groups ...*Group) *Group {
	g := &Group{members: map[string]member{}}
	for _, o := range groups {
		maps.Copy(g.members, o.members)
	}
	return g
}

// Child creates the group name below g in every hierarchy of g and removes it
// in t.Cleanup (before g, since cleanups run last-in first-out).
func (g *Group) Child(t testing.TB, name string) *Group {
	t.Helper()
	if name == "" || name == "." || name == ".." || strings.Contains(name, "/") {
		t.Fatalf("cgtest: invalid child name %q", name)
	}
	return create(t, g.members, name)
}

// create makes the directory name below each parent, once per distinct
// directory, registering its removal before anything can fail.
func create(t testing.TB, parents map[string]member, name string) *Group {
	t.Helper()
	g := &Group{members: make(map[string]member, len(parents))}
	made := map[string]bool{}
	for _, c := range slices.Sorted(maps.Keys(parents)) {
		m := member{path: joinCgroupPath(parents[c].path, name), dir: filepath.Join(parents[c].dir, name)}
		g.members[c] = m
		if made[m.dir] {
			continue
		}
		if err := os.Mkdir(m.dir, 0o755); err != nil {
			t.Fatalf("cgtest: create cgroup: %v", err)
		}
		made[m.dir] = true
		t.Cleanup(func() { removeGroupDir(t, m.dir) })
	}
	if p, ok := parents["cpuset"]; ok {
		for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
			writeFile(t, filepath.Join(g.members["cpuset"].dir, f), readFile(t, filepath.Join(p.dir, f)))
		}
	}
	return g
}

func joinCgroupPath(parent, name string) string {
	if parent == "/" {
		return "/" + name
	}
	return parent + "/" + name
}

// Path returns the group's cgroup path in controller's hierarchy as
// /proc/<pid>/cgroup shows it, e.g. /process_api/<id>/truelimit-test-1-1.
func (g *Group) Path(controller string) string {
	return g.members[controller].path
}

// Dir returns the group's absolute directory in controller's hierarchy, e.g.
// /sys/fs/cgroup/memory/process_api/<id>/truelimit-test-1-1.
func (g *Group) Dir(controller string) string {
	return g.members[controller].dir
}

// Set writes value to the group's interface file in controller's hierarchy
// (e.g. "memory", "memory.limit_in_bytes", "268435456") in a single write, as
// the kernel parses each write whole; the test fails on error.
func (g *Group) Set(t testing.TB, controller, file, value string) {
	t.Helper()
	writeFile(t, filepath.Join(g.dir(t, controller), file), value)
}

// Read returns the contents of the group's interface file in controller's
// hierarchy without surrounding white space; the test fails on error.
func (g *Group) Read(t testing.TB, controller, file string) string {
	t.Helper()
	return readFile(t, filepath.Join(g.dir(t, controller), file))
}

// Procs returns the process IDs listed in the group's cgroup.procs in
// controller's hierarchy (cgroups(7)).
func (g *Group) Procs(t testing.TB, controller string) []int {
	t.Helper()
	pids, err := readProcs(g.dir(t, controller))
	if err != nil {
		t.Fatalf("cgtest: %v", err)
	}
	return pids
}

// Move moves the running process of cmd, which the harness started
// (Command or HelperCommand, then Start), into g in every hierarchy of g by
// writing its PID to each of g's cgroup.procs files (cgroups(7): writing a
// PID moves that process with all its threads). When the write returns, the
// process's /proc/<pid>/cgroup shows g. The test fails if the command is not
// running or a write fails.
func (g *Group) Move(t testing.TB, cmd *exec.Cmd) {
	t.Helper()
	if cmd.Process == nil || cmd.ProcessState != nil {
		t.Fatal("cgtest: Move: the command was not started or has been waited for")
	}
	for _, f := range g.procsFiles() {
		writeFile(t, f, strconv.Itoa(cmd.Process.Pid))
	}
}

func (g *Group) dir(t testing.TB, controller string) string {
	t.Helper()
	m, ok := g.members[controller]
	if !ok {
		t.Fatalf("cgtest: group was not created in the %q hierarchy", controller)
	}
	return m.dir
}

// procsFiles returns the cgroup.procs file of each distinct directory.
func (g *Group) procsFiles() []string {
	seen := map[string]bool{}
	var files []string
	for _, m := range g.members {
		if !seen[m.dir] {
			seen[m.dir] = true
			files = append(files, filepath.Join(m.dir, "cgroup.procs"))
		}
	}
	return files
}

func readProcs(dir string) ([]int, error) {
	data, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, f := range strings.Fields(string(data)) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("%s/cgroup.procs: bad pid %q", dir, f)
		}
		pids = append(pids, pid)
	}
	return pids, nil
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("cgtest: %v", err)
	}
	return strings.TrimSpace(string(data))
}

func writeFile(t testing.TB, path, value string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatalf("cgtest: %v", err)
	}
	_, werr := f.Write([]byte(value))
	cerr := f.Close()
	if werr != nil {
		t.Fatalf("cgtest: write %q to %s: %v", value, path, werr)
	}
	if cerr != nil {
		t.Fatalf("cgtest: close %s: %v", path, cerr)
	}
}
