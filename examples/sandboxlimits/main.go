// Command sandboxlimits prints the memory and CPU budget a sandbox runtime
// should give a container, the way gVisor's runsc sizes a sandbox
// (--total-memory): the effective limits of the cgroup the runtime was told
// to use, walked up to the root, capped by the host's totals.
//
//	go run ./examples/sandboxlimits -cgroups-path kubepods-burstable-pod<uid>.slice:cri-containerd:<id>
//	go run ./examples/sandboxlimits -cgroups-path /kubepods/burstable/pod<uid>/<id>
//	go run ./examples/sandboxlimits -pid 1234
//	go run ./examples/sandboxlimits -root testdata/<case> -cgroups-path ...
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/truelimit/truelimit/limits"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sandboxlimits:", err)
		os.Exit(1)
	}
}

// output is the -json shape.
type output struct {
	CgroupsPath  string   `json:"cgroups_path,omitempty"`
	PID          int      `json:"pid,omitempty"`
	MemoryBytes  uint64   `json:"total_memory_bytes"`
	MemorySource string   `json:"memory_source"`
	CPUs         int      `json:"cpus"`
	CPUSource    string   `json:"cpu_source"`
	Warnings     []string `json:"warnings"`
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("sandboxlimits", flag.ContinueOnError)
	root := fs.String("root", "/", "read every file under `DIR` instead of /")
	path := fs.String("cgroups-path", "", "the OCI cgroupsPath: `slice:prefix:name` (systemd) or a cgroupfs path")
	pid := fs.Int("pid", 0, "size the sandbox of process `PID` from its own cgroup")
	minCPUs := fs.Int("min-cpus", 1, "never give fewer than `N` CPUs")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New("unexpected arguments: " + fmt.Sprint(fs.Args()))
	}
	if *path != "" && *pid != 0 {
		return errors.New("give -cgroups-path or -pid, not both")
	}
	opt := limits.WithRoot(*root)
	var res limits.Result
	var err error
	switch {
	case *path != "":
		res, err = limits.ForCgroup(*path, limits.FormAuto, opt)
	case *pid != 0:
		res, err = limits.ForPID(*pid, opt)
	default:
		res, err = limits.Detect(opt)
	}
	if err != nil {
		return err
	}
	b := res.SandboxBudget(*minCPUs)
	o := output{CgroupsPath: *path, PID: *pid, MemoryBytes: b.MemoryBytes, MemorySource: b.MemorySource,
		CPUs: b.CPUs, CPUSource: b.CPUSource, Warnings: []string{}}
	for _, d := range res.Diagnostics {
		o.Warnings = append(o.Warnings, string(d.Code)+": "+d.Message)
	}
	if *asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(o)
	}
	fmt.Fprintf(out, "total memory: %d bytes (from %s)\n", o.MemoryBytes, o.MemorySource)
	fmt.Fprintf(out, "cpus: %d (from %s)\n", o.CPUs, o.CPUSource)
	for _, w := range o.Warnings {
		fmt.Fprintf(out, "warning: %s\n", w)
	}
	return nil
}
