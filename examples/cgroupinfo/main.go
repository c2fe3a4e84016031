// Command cgroupinfo answers how much memory and CPU a process really has:
// the effective limits over the whole walk from its cgroup up, the cgroup
// that sets each, how much it uses and its headroom, and what looks
// misconfigured with what to do about it. With -require it is an
// entrypoint guard; with -env it prints the limits as NAME=value lines for
// a shell's eval, so that programs not written in Go get them; with -json
// it prints the stable JSON shape.
//
//	go run ./examples/cgroupinfo              # this process: the answer first
//	go run ./examples/cgroupinfo -v           # and full paths, the cgroups, the host, the walk
//	go run ./examples/cgroupinfo -pid 1234    # another process
//	go run ./examples/cgroupinfo -root DIR    # a captured tree, e.g. testdata/<case>
//	go run ./examples/cgroupinfo -json        # the stable JSON shape
//	go run ./examples/cgroupinfo -require 'memory>=1GiB,cpus>=2'   # exit 3 when not met
//	go run ./examples/cgroupinfo -env         # TRUELIMIT_MEMORY_BYTES=..., TRUELIMIT_CPUS=... for eval
//	go run ./examples/cgroupinfo -watch 2s    # the report again every 2 s, usage re-sampled
//	go run ./examples/cgroupinfo -tree        # every cgroup: own and effective limits
//	go run ./examples/cgroupinfo -tree -top /kubepods.slice -root DIR -json
//	go run ./examples/cgroupinfo -tree -process-views   # and the limits hidden from each leaf's process
//	go run ./examples/cgroupinfo -tree -usage           # and each cgroup's memory usage and headroom
//	go run ./examples/cgroupinfo -tree -sort headroom   # the cgroups closest to a memory limit first
//
// Exit status: 0 success, 1 error, 2 usage error, 3 a -require requirement
// not met (the reason on stderr, one line).
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

// The exit statuses of cgroupinfo.
const (
	exitOK    = 0 // success, every -require met
	exitError = 1 // the limits could not be read
	exitUsage = 2 // a bad flag, argument or -require list (flag's convention)
	exitUnmet = 3 // a -require requirement not met
)

func main() {
	os.Exit(cli(os.Args[1:], os.Stdout, os.Stderr))
}

// cli runs cgroupinfo with args and returns its exit status; errors go to
// stderr on one line.
func cli(args []string, stdout, stderr io.Writer) int {
	err := run(args, stdout)
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, "cgroupinfo:", err)
	var usage usageError
	var unmet *unmetError
	switch {
	case errors.As(err, &usage):
		fmt.Fprintln(stderr, "cgroupinfo: run cgroupinfo -h for help")
		return exitUsage
	case errors.As(err, &unmet):
		return exitUnmet
	}
	return exitError
}

// usageError is a command line cgroupinfo cannot run.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// run runs cgroupinfo with args, writing the report to out. It returns a
// usageError for a command line it cannot run and an *unmetError when a
// -require requirement is not met.
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
	verbose := fs.Bool("v", false, "print the full report: full paths, each controller's cgroup, the host's totals and the walk")
	requireList := fs.String("require", "", "exit 3, saying why on stderr, unless the effective limits meet `LIST` (memory>=1GiB,cpus>=2)")
	env := fs.Bool("env", false, "print the limits as NAME=value lines for a shell's eval or an env file: "+envNames)
	ratio := fs.Float64("memory-ratio", limits.DefaultMemoryRatio, "with -env, GOMEMLIMIT's share `R` of the memory budget, in (0, 1]; $TRUELIMIT_MEMORY_RATIO overrides it")
	reserve := fs.String("memory-reserve", "", "with -env, keep `SIZE` (100MiB) of the memory budget out of GOMEMLIMIT; $TRUELIMIT_MEMORY_RESERVE overrides it")
	roundDown := fs.Bool("round-down", false, "with -env, GOMAXPROCS is the CPU quota rounded down, at least 1 (automaxprocs' policy), not up, at least 2 (the Go runtime's)")
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return writeHelp(out, fs)
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments: %v", fs.Args())
	}
	if *pid < 0 {
		return usagef("-pid %d: want a process ID", *pid)
	}
	if *every < 0 {
		return usagef("-watch needs a positive interval, not %v", *every)
	}
	if *tree && *pid != 0 {
		return usagef("-tree scans every cgroup; it takes no -pid")
	}
	if (*top != "" || *views || *treeUsage || *sortBy != "") && !*tree {
		return usagef("-top, -process-views, -usage and -sort go with -tree")
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if (set["memory-ratio"] || set["memory-reserve"] || set["round-down"]) && !*env {
		return usagef("-memory-ratio, -memory-reserve and -round-down go with -env")
	}
	if *env {
		if *pid != 0 || *tree || *every != 0 || *events || *asJSON || *verbose || *requireList != "" {
			return usagef("-env prints the values for a program this process starts; it takes no -pid, -tree, -watch, -events, -json, -v or -require")
		}
		mem, procs, err := setterOptions(*root, *ratio, *reserve, *roundDown)
		if err != nil {
			return err
		}
		return printEnv(out, *root, mem, procs)
	}
	if *requireList != "" {
		if *tree || *every != 0 || *asJSON || *verbose {
			return usagef("-require is a guard: it prints nothing and takes no -tree, -watch, -json or -v")
		}
		reqs, err := parseRequirements(*requireList)
		if err != nil {
			return usageError{err}
		}
		return guard(reqs, *root, *pid)
	}
	if *tree {
		return printTree(out, treeOptions{root: *root, top: *top, views: *views, usage: *treeUsage, asJSON: *asJSON, sortBy: *sortBy})
	}
	if *events {
		if *pid != 0 || *root != "/" || *every != 0 {
			return usagef("-events watches this process's own cgroups; it takes no -pid, -root or -watch")
		}
		return watchEvents(out, *frames, *asJSON)
	}
	if *frames != 0 && *every == 0 {
		return usagef("-frames goes with -watch or -events")
	}
	if *every != 0 {
		if *pid != 0 {
			return usagef("-watch samples this process (or a -root tree); it takes no -pid")
		}
		return watch(out, *root, *every, *frames, *asJSON, textFor(out, *verbose))
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
	return textFor(out, *verbose)(out, res, &usage)
}

// textReport writes a text report of a Result and its usage.
type textReport func(io.Writer, limits.Result, *limits.Usage) error

// textFor is the text report written to out: report.Text with -v, else
// report.Summary, for a terminal when out is one and NO_COLOR is set to
// nothing or "" (https://no-color.org).
func textFor(out io.Writer, verbose bool) textReport {
	if verbose {
		return report.Text
	}
	f, ok := out.(*os.File)
	if !useTerminal(ok && isTerminal(f.Fd()), os.Getenv("NO_COLOR")) {
		return func(w io.Writer, r limits.Result, u *limits.Usage) error { return report.Summary(w, r, u) }
	}
	return func(w io.Writer, r limits.Result, u *limits.Usage) error {
		return report.Summary(w, r, u, report.WithTerminal())
	}
}

// useTerminal decides whether to write colour and symbols: only to a
// terminal, and never when NO_COLOR is set to a non-empty value.
func useTerminal(terminal bool, noColor string) bool {
	return terminal && noColor == ""
}

// guard checks reqs against the effective limits of process pid (0: this
// one) under root.
func guard(reqs []requirement, root string, pid int) error {
	var res limits.Result
	var err error
	if pid != 0 {
		res, err = limits.ForPID(pid, limits.WithRoot(root))
	} else {
		res, err = limits.Detect(limits.WithRoot(root))
	}
	if err != nil {
		return err
	}
	return checkRequirements(reqs, res)
}
