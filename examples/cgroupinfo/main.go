// Command cgroupinfo prints the effective memory and CPU limits of a process:
// the cgroup mode, each limit and the cgroup that set it, how much it uses
// and its headroom, the walk level by level, the host's totals and what
// looks misconfigured.
//
//	go run ./examples/cgroupinfo              # this process
//	go run ./examples/cgroupinfo -pid 1234    # another process
//	go run ./examples/cgroupinfo -root DIR    # a captured tree, e.g. testdata/<case>
//	go run ./examples/cgroupinfo -json        # the stable JSON shape
//	go run ./examples/cgroupinfo -watch 2s    # the report again every 2 s, usage re-sampled
//	go run ./examples/cgroupinfo -tree        # every cgroup: own and effective limits
//	go run ./examples/cgroupinfo -tree -top /kubepods.slice -root DIR -json
//	go run ./examples/cgroupinfo -tree -process-views   # and the limits hidden from each leaf's process
//	go run ./examples/cgroupinfo -tree -usage           # and each cgroup's memory usage and headroom
//	go run ./examples/cgroupinfo -tree -sort headroom   # the cgroups closest to a memory limit first
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/report"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "cgroupinfo:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("cgroupinfo", flag.ContinueOnError)
	root := fs.String("root", "/", "read every file under `DIR` instead of /")
	pid := fs.Int("pid", 0, "report on process `PID` instead of this one")
	asJSON := fs.Bool("json", false, "print JSON instead of the text report")
	tree := fs.Bool("tree", false, "print every cgroup's own and effective limits (node.Scan), * where they differ")
	top := fs.String("top", "", "with -tree, scan only cgroup `PATH` and below it")
	views := fs.Bool("process-views", false, "with -tree, tell which limits the process of each leaf cgroup cannot see")
	treeUsage := fs.Bool("usage", false, "with -tree, show each cgroup's memory usage and headroom (node.WithUsage)")
	sortBy := fs.String("sort", "", "with -tree, list the cgroups by `KEY`: headroom, the least first (implies -usage)")
	every := fs.Duration("watch", 0, "print the report again every `DURATION` (usage sampled with the files kept open) until interrupted; with -json one object per line")
	frames := fs.Int("frames", 0, "with -watch, stop after `N` reports; with -events, after N events")
	events := fs.Bool("events", false, "print memory pressure events of this process's cgroups as they arrive (limits/pressure) until interrupted; with -json one object per line")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New("unexpected arguments: " + fmt.Sprint(fs.Args()))
	}
	if *tree && *pid != 0 {
		return errors.New("-tree scans every cgroup; it takes no -pid")
	}
	if (*top != "" || *views || *treeUsage || *sortBy != "") && !*tree {
		return errors.New("-top, -process-views, -usage and -sort go with -tree")
	}
	if *tree {
		return printTree(out, treeOptions{root: *root, top: *top, views: *views, usage: *treeUsage, asJSON: *asJSON, sortBy: *sortBy})
	}
	if *events {
		if *pid != 0 || *root != "/" || *every != 0 {
			return errors.New("-events watches this process's own cgroups; it takes no -pid, -root or -watch")
		}
		return watchEvents(out, *frames, *asJSON)
	}
	if *frames != 0 && *every == 0 {
		return errors.New("-frames goes with -watch or -events")
	}
	if *every != 0 {
		if *pid != 0 {
			return errors.New("-watch samples this process (or a -root tree); it takes no -pid")
		}
		return watch(out, *root, *every, *frames, *asJSON)
	}
	opts := []limits.Option{limits.WithRoot(*root), limits.WithWalk()}
	var res limits.Result
	var usage limits.Usage
	var err error
	if *pid != 0 {
		res, usage, err = limits.ForPIDUsage(*pid, opts...)
	} else {
		res, usage, err = limits.DetectUsage(opts...)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		data, err := report.JSON(res, &usage)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "%s\n", data)
		return err
	}
	return report.Text(out, res, &usage)
}
