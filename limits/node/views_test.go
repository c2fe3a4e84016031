package node_test

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/node"
)

// The pod of the process-view trees: the pod cgroup limits memory to 256 MiB
// and CPU to 0.5, its container sets 512 MiB and 1 CPU, and process 4242
// runs in the container.
const (
	viewPod = "/kubepods/podabc"
	viewCtr = viewPod + "/ctr1"
	viewPID = 4242
)

// cgroup2Mount is a mountinfo line of a cgroup2 mount of root at
// /sys/fs/cgroup.
func cgroup2Mount(root string) string {
	return "1205 1199 0:30 " + root + " /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate\n"
}

// v2PodTree is a v2 host running the pod, with process 4242's own
// mountinfo (its root filesystem, then procMounts) and /proc/<pid>/cgroup
// as the host reads them.
func v2PodTree(procMounts string) map[string]string { return v2PodTreeFrom("/", procMounts) }

// v2PodTreeFrom is v2PodTree read by a process whose cgroup2 mount is
// mounted from the cgroup readerRoot: only the cgroups at and below it are
// in its tree.
func v2PodTreeFrom(readerRoot, procMounts string) map[string]string {
	files := map[string]string{
		"proc/self/mountinfo": strings.Replace(cgroup2Mount(readerRoot), "1205 1199", "35 24", 1),
		"proc/4242/mountinfo": "1199 1180 0:112 / / rw,relatime - overlay overlay rw\n" + procMounts,
		"proc/4242/cgroup":    "0::" + viewCtr + "\n",
	}
	controllers := "cpuset cpu io memory pids\n"
	cgroups := map[string]map[string]string{
		"/": {"cgroup.controllers": controllers, "cpuset.cpus.effective": "0-3\n"},
		"/kubepods": {"cgroup.controllers": controllers, "memory.max": "max\n", "memory.high": "max\n",
			"cpu.max": "max 100000\n", "pids.max": "max\n"},
		viewPod: {"cgroup.controllers": controllers, "memory.max": "268435456\n", "memory.high": "max\n",
			"cpu.max": "50000 100000\n", "pids.max": "max\n"},
		viewCtr: {"cgroup.controllers": controllers, "memory.max": "536870912\n", "memory.high": "max\n",
			"cpu.max": "100000 100000\n", "pids.max": "max\n", "cgroup.procs": "4242\n"},
		"/kubepods/podother": {"cgroup.controllers": controllers, "memory.max": "max\n", "memory.high": "max\n",
			"cpu.max": "max 100000\n", "pids.max": "max\n", "cgroup.procs": ""},
	}
	for path, cgroupFiles := range cgroups {
		if !cgpathWithin(path, readerRoot) {
			continue
		}
		dir := "sys/fs/cgroup" + strings.TrimPrefix(path, strings.TrimSuffix(readerRoot, "/"))
		for name, content := range cgroupFiles {
			files[strings.TrimSuffix(dir, "/")+"/"+name] = content
		}
	}
	return files
}

// cgpathWithin reports whether the cgroup path p is top or below it.
func cgpathWithin(p, top string) bool {
	return top == "/" || p == top || strings.HasPrefix(p, top+"/")
}

// with returns files with changes applied.
func with(files, changes map[string]string) map[string]string {
	out := maps.Clone(files)
	maps.Copy(out, changes)
	return out
}

// without returns files without the named ones.
func without(files map[string]string, names ...string) map[string]string {
	out := maps.Clone(files)
	for _, name := range names {
		delete(out, name)
	}
	return out
}

// hiddenDiagnostics returns the limit-hidden-from-process diagnostics.
func hiddenDiagnostics(tree *node.Tree) []limits.Diagnostic {
	var out []limits.Diagnostic
	for _, d := range tree.Diagnostics {
		if d.Code == limits.CodeLimitHiddenFromProcess {
			out = append(out, d)
		}
	}
	return out
}

// forPIDHidden is limits.ForPID's limit-hidden-from-process sentence for
// the process, "" when it has none.
func forPIDHidden(t *testing.T, root string) string {
	t.Helper()
	res, err := limits.ForPID(viewPID, limits.WithRoot(root))
	require.NoError(t, err)
	for _, d := range res.Diagnostics {
		if d.Code == limits.CodeLimitHiddenFromProcess {
			return d.Message
		}
	}
	return ""
}

// TestScanProcessViews checks WithProcessViews on the pod: a container in a
// private cgroup namespace cannot see the pod's lower limits, and says so
// with the words limits.ForPID uses; a process that sees the pod, one
// without a cgroup mount, one that is gone, moved or absent.
func TestScanProcessViews(t *testing.T) {
	private := v2PodTree(cgroup2Mount(viewCtr))
	const seesCtr = "memory limit: below the top of its memory hierarchy, " + viewCtr + ", it sees 536870912 bytes from " + viewCtr +
		", but 268435456 bytes from " + viewPod + " applies; CPU limit: below the top of its cpu hierarchy, " + viewCtr +
		", it sees 1 CPUs from " + viewCtr + ", but 0.5 CPUs from " + viewPod + " applies"
	tests := []struct {
		name    string
		files   map[string]string
		noViews bool
		pid     int      // 0: no view
		hidden  []string // the limits named hidden
		message string   // what the diagnostic says after "cgroup ... (pid N): ", "" for none
	}{
		{
			name: "private cgroup namespace", files: private, pid: viewPID,
			hidden:  []string{node.LimitMemory, node.LimitCPU},
			message: "limits are set above the cgroups the process can see: " + seesCtr,
		},
		{name: "without WithProcessViews", files: private, noViews: true},
		{
			name: "the process sees the host's root", files: v2PodTree(cgroup2Mount("/")), pid: viewPID,
		},
		{
			name: "the process sees the pod", files: v2PodTree(cgroup2Mount(viewPod)), pid: viewPID,
		},
		{
			name: "no cgroup mount", files: v2PodTree(""), pid: viewPID,
			hidden: []string{node.LimitMemory, node.LimitCPU},
			message: "limits are set above the cgroups the process can see: memory limit: it has no mount of the memory hierarchy, so it sees no cgroup limit, " +
				"but 268435456 bytes from " + viewPod + " applies; CPU limit: it has no mount of the cpu hierarchy, so it sees no cgroup limit, but 0.5 CPUs from " + viewPod + " applies",
		},
		{
			name: "no proc/<pid>", files: without(private, "proc/4242/mountinfo", "proc/4242/cgroup"),
		},
		{
			name: "no proc/<pid>/cgroup", files: without(private, "proc/4242/cgroup"),
		},
		{
			name: "empty cgroup.procs", files: with(private, map[string]string{"sys/fs/cgroup" + viewCtr + "/cgroup.procs": "\n"}),
		},
		{
			name: "garbage in cgroup.procs", files: with(private, map[string]string{"sys/fs/cgroup" + viewCtr + "/cgroup.procs": "x4242\n"}),
		},
		{
			name: "the process moved out", files: with(private, map[string]string{"proc/4242/cgroup": "0::" + viewPod + "\n"}),
		},
		{
			name: "a process outside the reader's PID namespace first", pid: viewPID,
			files:   with(private, map[string]string{"sys/fs/cgroup" + viewCtr + "/cgroup.procs": "0\n4242\n4243\n"}),
			hidden:  []string{node.LimitMemory, node.LimitCPU},
			message: "limits are set above the cgroups the process can see: " + seesCtr,
		},
		{
			name: "memory.high and pids.max above the top", pid: viewPID,
			files: with(private, map[string]string{
				"sys/fs/cgroup" + viewPod + "/memory.high": "201326592\n",
				"sys/fs/cgroup" + viewPod + "/pids.max":    "100\n",
				"sys/fs/cgroup" + viewPod + "/cpu.max":     "max 100000\n",
				"sys/fs/cgroup" + viewCtr + "/pids.max":    "max\n",
			}),
			hidden: []string{node.LimitMemory, node.LimitMemoryHigh, node.LimitPids},
			message: "limits are set above the cgroups the process can see: memory limit: below the top of its memory hierarchy, " + viewCtr +
				", it sees 536870912 bytes from " + viewCtr + ", but 268435456 bytes from " + viewPod + " applies; memory.high: below the top of its memory hierarchy, " +
				viewCtr + ", it sees unlimited, but 201326592 bytes from " + viewPod + " applies; pids limit: below the top of its pids hierarchy, " + viewCtr +
				", it sees unlimited, but 100 from " + viewPod + " applies",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := writeFiles(t, tt.files)
			opts := []node.Option{node.WithRoot(root)}
			if !tt.noViews {
				opts = append(opts, node.WithProcessViews())
			}
			tree, err := node.Scan(opts...)
			require.NoError(t, err)
			cg := tree.Lookup(viewCtr)
			require.NotNil(t, cg)
			assert.Equal(t, limits.Limit{State: limits.Limited, Value: 256 << 20, Source: viewPod}, cg.Effective.Memory)
			for _, other := range tree.Cgroups {
				if other.Path != viewCtr {
					assert.Nil(t, other.Process, "%s: only the leaf with a process has a view", other.Path)
				}
			}
			diags := hiddenDiagnostics(tree)
			if tt.pid == 0 {
				assert.Nil(t, cg.Process)
				assert.Empty(t, diags)
				return
			}
			require.NotNil(t, cg.Process)
			assert.Equal(t, tt.pid, cg.Process.PID)
			assert.Equal(t, tt.hidden, cg.Process.Hidden)
			if tt.message == "" {
				assert.Empty(t, diags)
				assert.Equal(t, node.Limits{}, cg.Process.Sees, "nothing hidden, nothing to see instead")
			} else {
				require.Len(t, diags, 1)
				assert.Equal(t, "cgroup "+viewCtr+" (pid 4242): "+tt.message, diags[0].Message)
			}
			assert.Equal(t, tt.message, forPIDHidden(t, root), "limits.ForPID says the same")
		})
	}
}

// TestScanProcessViewSees checks what ProcessView.Sees holds for the hidden
// limits: the lowest from the process's top down, scope visible.
func TestScanProcessViewSees(t *testing.T) {
	root := writeFiles(t, v2PodTree(cgroup2Mount(viewCtr)))
	tree, err := node.Scan(node.WithRoot(root), node.WithProcessViews())
	require.NoError(t, err)
	v := tree.Lookup(viewCtr).Process
	require.NotNil(t, v)
	assert.Equal(t, node.Limits{
		Memory: limits.Limit{State: limits.Limited, Value: 512 << 20, Source: viewCtr, Scope: limits.ScopeVisible},
		CPU:    limits.CPULimit{State: limits.Limited, Quota: 100000, Period: 100000, Source: viewCtr, Scope: limits.ScopeVisible},
	}, v.Sees)

	root = writeFiles(t, v2PodTree(""))
	tree, err = node.Scan(node.WithRoot(root), node.WithProcessViews())
	require.NoError(t, err)
	v = tree.Lookup(viewCtr).Process
	require.NotNil(t, v)
	assert.Equal(t, limits.Limit{State: limits.Unlimited, Scope: limits.ScopeVisible}, v.Sees.Memory, "no mount: no limit to see")
}

// v1PodTree is the pod on a v1 host with a memory and a cpu,cpuacct
// hierarchy, process 4242 in a private cgroup namespace that mounts both at
// the container. cpuProcs is the container's cgroup.procs in the cpu
// hierarchy.
func v1PodTree(cpuProcs string) map[string]string {
	files := map[string]string{
		"proc/self/mountinfo": v1Mountinfo,
		"proc/4242/mountinfo": "1199 1180 0:112 / / rw,relatime - overlay overlay rw\n" +
			"1210 1199 0:26 " + viewCtr + " /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory\n" +
			"1211 1199 0:27 " + viewCtr + " /sys/fs/cgroup/cpu,cpuacct ro,nosuid - cgroup cgroup rw,cpu,cpuacct\n",
		"proc/4242/cgroup": "5:memory:" + viewCtr + "\n4:cpu,cpuacct:" + viewCtr + "\n1:name=systemd:" + viewCtr + "\n",
	}
	const unlimited = "9223372036854771712"
	// Each cgroup's memory limit, the hierarchical_memory_limit of its
	// memory.stat, and its CFS quota ("" where it is missing from the cpu
	// hierarchy).
	cgroups := map[string][3]string{
		"/":                  {unlimited, unlimited, "-1"},
		"/kubepods":          {unlimited, unlimited, "-1"},
		viewPod:              {"268435456", "268435456", "50000"},
		viewCtr:              {"536870912", "268435456", "100000"},
		"/kubepods/podother": {unlimited, unlimited, ""},
	}
	for path, c := range cgroups {
		mem := strings.TrimSuffix("sys/fs/cgroup/memory"+path, "/")
		files[mem+"/memory.limit_in_bytes"] = c[0] + "\n"
		files[mem+"/memory.stat"] = "cache 0\nhierarchical_memory_limit " + c[1] + "\n"
		files[mem+"/memory.use_hierarchy"] = "1\n"
		if c[2] != "" {
			cpu := strings.TrimSuffix("sys/fs/cgroup/cpu,cpuacct"+path, "/")
			files[cpu+"/cpu.cfs_quota_us"] = c[2] + "\n"
			files[cpu+"/cpu.cfs_period_us"] = "100000\n"
		}
	}
	files["sys/fs/cgroup/memory"+viewCtr+"/cgroup.procs"] = "4242\n"
	files["sys/fs/cgroup/cpu,cpuacct"+viewCtr+"/cgroup.procs"] = cpuProcs
	return files
}

// withoutMemoryStat drops every memory.stat from a v1 tree, as a kernel
// never would: then nothing counts the levels hidden above the top.
func withoutMemoryStat(files map[string]string) map[string]string {
	out := maps.Clone(files)
	maps.DeleteFunc(out, func(name, _ string) bool { return strings.HasSuffix(name, "/memory.stat") })
	return out
}

// TestScanProcessViewsV1: on v1 the memory limit is not hidden from a
// process with a memory mount (its memory.stat's hierarchical_memory_limit
// counts the pod), the pod's CPU quota is; the cpu hierarchy takes the
// process the memory hierarchy found when its cgroup.procs starts with
// another, and a hierarchy where the cgroup has no process adds nothing.
func TestScanProcessViewsV1(t *testing.T) {
	const message = "cgroup " + viewCtr + " (pid 4242): limits are set above the cgroups the process can see: CPU limit: below the top of its cpu hierarchy, " +
		viewCtr + ", it sees 1 CPUs from " + viewCtr + ", but 0.5 CPUs from " + viewPod + " applies"
	tests := []struct {
		name       string
		cpuProcs   string
		procCgroup string // process 4242's /proc/<pid>/cgroup, if not in the container in both
		hidden     []string
		message    string
	}{
		{name: "same process first", cpuProcs: "4242\n", hidden: []string{node.LimitCPU}, message: message},
		{name: "another process first", cpuProcs: "4243\n4242\n", hidden: []string{node.LimitCPU}, message: message},
		{
			name: "the process is elsewhere in the cpu hierarchy", cpuProcs: "4242\n",
			procCgroup: "5:memory:" + viewCtr + "\n4:cpu,cpuacct:" + viewPod + "\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := v1PodTree(tt.cpuProcs)
			if tt.procCgroup != "" {
				files["proc/4242/cgroup"] = tt.procCgroup
			}
			root := writeFiles(t, files)
			tree, err := node.Scan(node.WithRoot(root), node.WithProcessViews())
			require.NoError(t, err)
			require.Len(t, tree.Hierarchies, 2)
			cg := tree.Lookup(viewCtr)
			require.NotNil(t, cg)
			assert.Equal(t, limits.Limit{State: limits.Limited, Value: 256 << 20, Source: viewPod}, cg.Effective.Memory)
			require.NotNil(t, cg.Process)
			assert.Equal(t, viewPID, cg.Process.PID)
			assert.Equal(t, tt.hidden, cg.Process.Hidden)
			assert.Equal(t, limits.Unknown, cg.Process.Sees.Memory.State, "the memory limit is not hidden")
			diags := hiddenDiagnostics(tree)
			if tt.message == "" {
				assert.Empty(t, diags)
				return
			}
			require.Len(t, diags, 1)
			assert.Equal(t, tt.message, diags[0].Message)
			assert.NotContains(t, diags[0].Message, "memory limit")
			assert.Equal(t, strings.TrimPrefix(tt.message, "cgroup "+viewCtr+" (pid 4242): "), forPIDHidden(t, root))
		})
	}
}

// TestScanScope checks the scope of effective values: visible when the top
// visible cgroup may not be the host's root, effective for own values, for
// a host's root, and for a v1 memory limit settled by the top's
// hierarchical_memory_limit or cut off by memory.use_hierarchy, always as
// limits.ForCgroup says.
func TestScanScope(t *testing.T) {
	const (
		e = limits.ScopeEffective
		v = limits.ScopeVisible
	)
	v2 := v2PodTree("")
	mem := "sys/fs/cgroup/memory"
	tests := []struct {
		name           string
		files          map[string]string
		memory, cpu    limits.Scope // of the container's effective values
		pids           limits.Scope
		differsFromOwn []string
	}{
		{name: "v2 host root", files: v2, memory: e, cpu: e, differsFromOwn: []string{node.LimitMemory, node.LimitCPU, node.LimitCPUSet}},
		{
			name: "v2 mounted from a cgroup", memory: v, cpu: v, differsFromOwn: []string{node.LimitMemory, node.LimitCPU, node.LimitCPUSet},
			files: v2PodTreeFrom("/kubepods", ""),
		},
		{
			// Per controller, as ForCgroup's walks decide: only the pids
			// walk reads pids.max at the top. (A kernel-made top with
			// pids.max has memory.max and cpu.max too where they are
			// enabled.)
			name: "v2 top with a limit file the root cannot have", memory: e, cpu: e, pids: v,
			files:          with(v2, map[string]string{"sys/fs/cgroup/pids.max": "max\n"}),
			differsFromOwn: []string{node.LimitMemory, node.LimitCPU, node.LimitCPUSet},
		},
		{
			name: "v2 container at the top", memory: v, cpu: v, differsFromOwn: []string{node.LimitCPUSet},
			files: v2PodTreeFrom(viewCtr, ""),
		},
		{name: "v1 host root", files: v1PodTree(""), memory: e, cpu: e, differsFromOwn: []string{node.LimitMemory, node.LimitCPU}},
		{
			name: "v1 top with a quota", memory: e, cpu: v, differsFromOwn: []string{node.LimitMemory, node.LimitCPU},
			files: with(v1PodTree(""), map[string]string{"sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us": "400000\n"}),
		},
		{
			name: "v1 top with a memory limit and hierarchical_memory_limit", memory: e, cpu: e, differsFromOwn: []string{node.LimitMemory, node.LimitCPU},
			files: with(v1PodTree(""), map[string]string{
				mem + "/memory.limit_in_bytes":         "4294967296\n",
				mem + "/memory.stat":                   "cache 0\nhierarchical_memory_limit 4294967296\n",
				mem + "/kubepods/memory.stat":          "cache 0\nhierarchical_memory_limit 4294967296\n",
				mem + "/kubepods/podother/memory.stat": "cache 0\nhierarchical_memory_limit 4294967296\n",
			}),
		},
		{
			name: "v1 top with a memory limit, no memory.stat", memory: v, cpu: e, differsFromOwn: []string{node.LimitMemory, node.LimitCPU},
			files: with(withoutMemoryStat(v1PodTree("")), map[string]string{mem + "/memory.limit_in_bytes": "4294967296\n"}),
		},
		{
			name: "v1 memory cut by use_hierarchy below the top", memory: e, cpu: e, differsFromOwn: []string{node.LimitCPU},
			files: with(withoutMemoryStat(v1PodTree("")), map[string]string{
				mem + "/memory.limit_in_bytes":          "4294967296\n",
				mem + viewPod + "/memory.use_hierarchy": "0\n",
			}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := writeFiles(t, tt.files)
			tree, err := node.Scan(node.WithRoot(root))
			require.NoError(t, err)
			cg := tree.Lookup(viewCtr)
			require.NotNil(t, cg)
			assert.Equal(t, tt.memory, cg.Effective.Memory.Scope, "memory")
			assert.Equal(t, tt.cpu, cg.Effective.CPU.Scope, "cpu")
			assert.Equal(t, e, cg.Own.Memory.Scope, "an own value is the cgroup's own file")
			assert.Equal(t, e, cg.Own.CPU.Scope)
			assert.Equal(t, tt.differsFromOwn, cg.DiffersFromOwn(), "scope does not count")
			if tt.pids == v {
				assert.Equal(t, v, cg.Effective.Pids.Scope, "pids")
			}
			for _, c := range tree.Cgroups {
				assertSameLimits(t, forCgroup(t, root, c.Path), c.Effective, c.Path)
			}
		})
	}
}

// TestScanProcessViewsChangeNothingElse: with WithProcessViews every
// cgroup's values and every other diagnostic are those of the plain scan,
// on the captured trees (which hold no cgroup.procs: no view) and on the
// pod trees above.
func TestScanProcessViewsChangeNothingElse(t *testing.T) {
	trees, err := filepath.Glob("../../testdata/*/proc/self/mountinfo")
	require.NoError(t, err)
	var roots []string
	for _, mi := range trees {
		roots = append(roots, filepath.Dir(filepath.Dir(filepath.Dir(mi))))
	}
	roots = append(roots, writeFiles(t, v2PodTree(cgroup2Mount(viewCtr))), writeFiles(t, v1PodTree("4242\n")))
	for _, root := range roots {
		plain, err := node.Scan(node.WithRoot(root))
		require.NoError(t, err, root)
		views, err := node.Scan(node.WithRoot(root), node.WithProcessViews())
		require.NoError(t, err, root)
		for i := range views.Cgroups {
			views.Cgroups[i].Process = nil
		}
		assert.Equal(t, plain.Cgroups, views.Cgroups, root)
		others := slices.DeleteFunc(views.Diagnostics, func(d limits.Diagnostic) bool {
			return d.Code == limits.CodeLimitHiddenFromProcess
		})
		assert.Equal(t, append([]limits.Diagnostic{}, plain.Diagnostics...), append([]limits.Diagnostic{}, others...), root)
	}
}
