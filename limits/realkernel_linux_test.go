//go:build linux

package limits_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/truelimit/truelimit/internal/cgtest"
	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/report"
)

// TestRealKernelDetectFindsBindingCgroup creates real v1 cgroups (a parent
// and a child below the test process's own cgroup), runs a copy of this test
// binary inside the child that prints report.JSON(limits.Detect()), and checks
// that the report names the level whose limit binds: the parent when the
// child is unlimited (with limit-in-ancestor), the child when it is tighter.
func TestRealKernelDetectFindsBindingCgroup(t *testing.T) {
	if cgtest.IsHelper(t) {
		printDetectJSON()
		return
	}
	const (
		parent = "parent"
		child  = "child"
	)
	cases := []struct {
		name string
		// per-level settings; "" leaves the kernel's default (unlimited)
		parentMem, parentQuota, parentPids string
		childMem, childQuota, childPids    string

		wantMemBytes   int64
		wantCPUs       float64
		wantQuota      int64
		wantPids       int64
		wantSource     string // parent or child, for memory, cpu and pids
		wantInAncestor bool
	}{
		{
			name:      "limits in the parent, child unlimited",
			parentMem: "268435456", parentQuota: "50000", parentPids: "64",
			wantMemBytes: 268435456, wantCPUs: 0.5, wantQuota: 50000, wantPids: 64,
			wantSource: parent, wantInAncestor: true,
		},
		{
			name:      "child tighter than the parent",
			parentMem: "268435456", parentQuota: "50000", parentPids: "64",
			childMem: "134217728", childQuota: "25000", childPids: "32",
			wantMemBytes: 134217728, wantCPUs: 0.25, wantQuota: 25000, wantPids: 32,
			wantSource: child, wantInAncestor: false,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := cgtest.New(t, "memory", "cpu", "pids")
			c := p.Child(t, "child")
			groups := map[string]*cgtest.Group{parent: p, child: c}
			for _, s := range []struct {
				g               *cgtest.Group
				mem, quota, pid string
			}{{p, tc.parentMem, tc.parentQuota, tc.parentPids}, {c, tc.childMem, tc.childQuota, tc.childPids}} {
				s.g.Set(t, "cpu", "cpu.cfs_period_us", "100000")
				setIf(t, s.g, "memory", "memory.limit_in_bytes", s.mem)
				setIf(t, s.g, "cpu", "cpu.cfs_quota_us", s.quota)
				setIf(t, s.g, "pids", "pids.max", s.pid)
			}

			got := runDetectIn(t, c)

			if mode := got.str(t, "mode"); mode != "v1" && mode != "hybrid" {
				t.Errorf("mode = %q, want v1 or hybrid (the test uses v1 hierarchies)", mode)
			}
			src := groups[tc.wantSource]
			checks := []struct {
				key  string
				want any
			}{
				{"memory.state", "limited"},
				{"memory.limit_bytes", tc.wantMemBytes},
				{"memory.source", src.Path("memory")},
				{"cpu.state", "limited"},
				{"cpu.limit", tc.wantCPUs},
				{"cpu.source", src.Path("cpu")},
				{"cpu.quota_us", tc.wantQuota},
				{"cpu.period_us", int64(100000)},
				{"pids.limit", tc.wantPids},
				{"pids.source", src.Path("pids")},
				{"cgroups.memory.path", c.Path("memory")},
				{"cgroups.memory.dir", c.Dir("memory")},
				{"cgroups.memory.version", int64(1)},
				{"cgroups.cpu.path", c.Path("cpu")},
				{"cgroups.pids.path", c.Path("pids")},
			}
			for _, ck := range checks {
				if v := got.value(t, ck.key); v != ck.want {
					t.Errorf("%s = %v (%T), want %v (%T)", ck.key, v, v, ck.want, ck.want)
				}
			}
			codes := got.diagnosticCodes(t)
			if has := slices.Contains(codes, string(limits.CodeLimitInAncestor)); has != tc.wantInAncestor {
				t.Errorf("diagnostics %v: limit-in-ancestor present = %v, want %v", codes, has, tc.wantInAncestor)
			}
			if t.Failed() {
				t.Logf("report:\n%s", got.raw)
			}
		})
	}
}

// printDetectJSON is the helper role: the report of the process's own limits
// on stdout.
func printDetectJSON() {
	res, err := limits.Detect()
	if err != nil {
		fmt.Fprintln(os.Stderr, "Detect:", err)
		os.Exit(2)
	}
	out, err := report.JSON(res, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "report.JSON:", err)
		os.Exit(2)
	}
	os.Stdout.Write(out)
}

func setIf(t *testing.T, g *cgtest.Group, controller, file, value string) {
	t.Helper()
	if value != "" {
		g.Set(t, controller, file, value)
	}
}

// jsonReport is the helper's report.JSON output, decoded with numbers kept
// exact.
type jsonReport struct {
	raw []byte
	doc map[string]any
}

// runDetectIn runs the helper role inside g and decodes the first JSON value
// it prints (the test binary prints PASS after it).
func runDetectIn(t *testing.T, g *cgtest.Group) jsonReport {
	t.Helper()
	cmd := cgtest.HelperCommand(t, g, "TestRealKernelDetectFindsBindingCgroup")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("helper: %v\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
	}
	dec := json.NewDecoder(bytes.NewReader(stdout.Bytes()))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("helper output is not a JSON report: %v\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
	}
	return jsonReport{raw: stdout.Bytes()[:dec.InputOffset()], doc: doc}
}

// value returns the value at a dotted key path; numbers come back as int64
// when integral in the JSON text, float64 otherwise, and nil for JSON null.
func (r jsonReport) value(t *testing.T, key string) any {
	t.Helper()
	var cur any = r.doc
	for _, k := range strings.Split(key, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			t.Fatalf("%s: %q is not inside an object", key, k)
		}
		if cur, ok = obj[k]; !ok {
			t.Fatalf("%s: key %q missing from the report", key, k)
		}
	}
	n, ok := cur.(json.Number)
	if !ok {
		return cur
	}
	if i, err := n.Int64(); err == nil {
		return i
	}
	f, err := n.Float64()
	if err != nil {
		t.Fatalf("%s: bad number %s", key, n)
	}
	return f
}

func (r jsonReport) str(t *testing.T, key string) string {
	t.Helper()
	s, _ := r.value(t, key).(string)
	return s
}

func (r jsonReport) diagnosticCodes(t *testing.T) []string {
	t.Helper()
	list, ok := r.value(t, "diagnostics").([]any)
	if !ok {
		t.Fatalf("diagnostics is not a list")
	}
	var codes []string
	for _, d := range list {
		if obj, ok := d.(map[string]any); ok {
			code, _ := obj["code"].(string)
			codes = append(codes, code)
		}
	}
	return codes
}
