// Package probe is the program the VM tests run inside each virtual machine
// (cmd/vmprobe, and cmd/vmprobeauto with limits/auto linked in). It asks
// package limits about the process's own cgroups (Detect), about cgroups
// named on the command line (ForCgroup) and about other processes (ForPID),
// with -usage through DetectUsage and its kin, whose usage the report then
// holds; records what the kernel shows the process (/proc/self/cgroup, its
// cgroup namespace, the cgroup mounts of /proc/self/mountinfo), what the Go
// runtime applied (GOMAXPROCS, the memory limit) and the files named with
// -read, just before those calls and just after them; with -scan
// (cmd/vmscan) what node.Scan finds on the host (ScanDoc); and prints it all as
// one line: Sentinel followed by the Output as JSON. The host-side test
// finds that line on the VM's serial console.
package probe

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/report"
)

// Sentinel starts the result line on the console. The host-side test reads
// only lines that contain it, so kernel messages around it do no harm.
const Sentinel = "TRUELIMIT-RESULT "

// Output is everything one probe run reports.
type Output struct {
	// Label names the run, so one VM can run the probe several times.
	Label string `json:"label"`
	// ProcSelfCgroup is /proc/self/cgroup as the kernel showed it.
	ProcSelfCgroup string `json:"proc_self_cgroup"`
	// CgroupNamespace is the link /proc/self/ns/cgroup ("cgroup:[4026531835]"
	// for the initial namespace).
	CgroupNamespace string `json:"cgroup_namespace"`
	// CgroupMounts are the /proc/self/mountinfo lines of cgroup and cgroup2
	// mounts: the test checks that the scenario built the mounts it meant to.
	CgroupMounts []string `json:"cgroup_mounts"`
	// GOMAXPROCS is runtime.GOMAXPROCS(0) at the time of the run.
	GOMAXPROCS int `json:"gomaxprocs"`
	// NumCPU is runtime.NumCPU(): the CPUs the process may run on.
	NumCPU int `json:"num_cpu"`
	// MemoryLimit is the Go runtime's soft memory limit (GOMEMLIMIT),
	// math.MaxInt64 when none is set.
	MemoryLimit int64 `json:"memory_limit"`
	// Detect is limits.Detect for the probe itself.
	Detect Answer `json:"detect"`
	// ForCgroup holds limits.ForCgroup for each -forcgroup flag, in order.
	ForCgroup []Answer `json:"for_cgroup"`
	// ForPID holds limits.ForPID for each -forpid flag, in order.
	ForPID []Answer `json:"for_pid"`
	// Reads holds each -read file, in order, as read just before the calls
	// into package limits and just after them: the bounds of a value that
	// changes while it is read (a cgroup's usage, a PSI total).
	Reads []Read `json:"reads"`
	// Scan is node.Scan with -scan (MainWithScan); nil without.
	Scan *ScanDoc `json:"scan"`
	// Problems lists what the probe itself could not read.
	Problems []string `json:"problems"`
}

// Answer is one call into package limits.
type Answer struct {
	Query  string                `json:"query"`  // the path or PID asked about; "" for Detect
	Error  string                `json:"error"`  // the error, "" on success
	Report *Document             `json:"report"` // the JSON document of cgroupinfo -json, with the walk
	Budget *limits.SandboxBudget `json:"budget"` // Result.SandboxBudget(1)
	// Target is what the kernel shows the probe about the process a ForPID
	// answer is for, read right after the call; nil for Detect and
	// ForCgroup.
	Target *Target `json:"target"`
}

// Read is a file read twice, around the calls into package limits.
type Read struct {
	Path   string   `json:"path"`
	Before Contents `json:"before"`
	After  Contents `json:"after"`
}

// Contents is what one read of a file gave: its text, or the error (a file
// the kernel does not create gives "no such file or directory").
type Contents struct {
	Text  string `json:"text"`
	Error string `json:"error"`
}

// readFile reads path into Contents.
func readFile(path string) Contents {
	data, err := os.ReadFile(path)
	if err != nil {
		return Contents{Error: err.Error()}
	}
	return Contents{Text: string(data)}
}

// Target is another process as the probe sees it from its own namespaces:
// /proc/PID/cgroup (its cgroup relative to the probe's cgroup namespace)
// and the cgroup mounts of /proc/PID/mountinfo, whose root field shows the
// root of the process's cgroup namespace as a path in the probe's.
type Target struct {
	ProcCgroup   string   `json:"proc_cgroup"`
	CgroupMounts []string `json:"cgroup_mounts"`
}

// listFlag collects every value of a repeated flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	*l = append(*l, s)
	return nil
}

// Main runs the probe with command-line arguments args, writes the result
// line to stdout and returns the exit status: 0 when the line was written,
// even if package limits returned errors (they are part of the Output), and
// 2 for bad arguments.
func Main(args []string, stdout, stderr io.Writer) int {
	return MainWithScan(args, stdout, stderr, nil)
}

// MainWithScan is Main with the flag -scan DIR, whose ScanDoc scan makes
// (cmd/vmscan); Main has no -scan when scan is nil.
func MainWithScan(args []string, stdout, stderr io.Writer, scan func(root string) *ScanDoc) int {
	fs := flag.NewFlagSet("vmprobe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	label := fs.String("label", "", "name of this run in the result line")
	usage := fs.Bool("usage", false, "call DetectUsage, ForCgroupUsage and ForPIDUsage: the reports hold the usage")
	var cgroups, pids, reads listFlag
	fs.Var(&cgroups, "forcgroup", "also report limits.ForCgroup(`PATH`, limits.FormAuto); repeatable")
	fs.Var(&pids, "forpid", "also report limits.ForPID(`PID`); repeatable")
	fs.Var(&reads, "read", "read `FILE` just before the calls into package limits and just after them; repeatable")
	var scanRoot *string
	if scan != nil {
		scanRoot = fs.String("scan", "", "also report node.Scan of `DIR`: \"/\" from this process's mountinfo, another directory with node.WithHostRoot")
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *label == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "vmprobe: want -label NAME and no arguments")
		return 2
	}
	out := Output{
		Label:       *label,
		GOMAXPROCS:  runtime.GOMAXPROCS(0),
		NumCPU:      runtime.NumCPU(),
		MemoryLimit: debug.SetMemoryLimit(-1),
		ForCgroup:   []Answer{},
		ForPID:      []Answer{},
		Reads:       []Read{},
		Problems:    []string{},
	}
	out.ProcSelfCgroup, out.CgroupMounts = out.inspect("/proc/self")
	if link, err := os.Readlink("/proc/self/ns/cgroup"); err == nil {
		out.CgroupNamespace = link
	} else {
		out.Problems = append(out.Problems, err.Error())
	}
	for _, path := range reads {
		out.Reads = append(out.Reads, Read{Path: path, Before: readFile(path)})
	}
	out.Detect = answer("", *usage,
		func() (limits.Result, error) { return limits.Detect(limits.WithWalk()) },
		func() (limits.Result, limits.Usage, error) { return limits.DetectUsage(limits.WithWalk()) })
	for _, path := range cgroups {
		out.ForCgroup = append(out.ForCgroup, answer(path, *usage,
			func() (limits.Result, error) { return limits.ForCgroup(path, limits.FormAuto, limits.WithWalk()) },
			func() (limits.Result, limits.Usage, error) {
				return limits.ForCgroupUsage(path, limits.FormAuto, limits.WithWalk())
			}))
	}
	for _, p := range pids {
		pid, err := strconv.Atoi(p)
		if err != nil {
			out.ForPID = append(out.ForPID, Answer{Query: p, Error: err.Error()})
			continue
		}
		a := answer(p, *usage,
			func() (limits.Result, error) { return limits.ForPID(pid, limits.WithWalk()) },
			func() (limits.Result, limits.Usage, error) { return limits.ForPIDUsage(pid, limits.WithWalk()) })
		if a.Error == "" {
			a.Target = &Target{}
			a.Target.ProcCgroup, a.Target.CgroupMounts = out.inspect("/proc/" + p)
		}
		out.ForPID = append(out.ForPID, a)
	}
	if scanRoot != nil && *scanRoot != "" {
		out.Scan = scan(*scanRoot)
	}
	for i := range out.Reads {
		out.Reads[i].After = readFile(out.Reads[i].Path)
	}
	line, err := json.Marshal(out)
	if err != nil {
		fmt.Fprintln(stderr, "vmprobe:", err)
		return 1
	}
	if _, err := fmt.Fprintf(stdout, "%s%s\n", Sentinel, line); err != nil {
		return 1
	}
	return 0
}

// inspect returns what the kernel shows the probe about a process, given
// as its /proc directory: its cgroup file, and the lines of its mountinfo
// for cgroup and cgroup2 mounts. What cannot be read goes to Problems.
func (o *Output) inspect(proc string) (cgroups string, mounts []string) {
	mounts = []string{}
	if data, err := os.ReadFile(proc + "/cgroup"); err == nil {
		cgroups = string(data)
	} else {
		o.Problems = append(o.Problems, err.Error())
	}
	data, err := os.ReadFile(proc + "/mountinfo")
	if err != nil {
		o.Problems = append(o.Problems, err.Error())
		return cgroups, mounts
	}
	lines := bufio.NewScanner(bytes.NewReader(data))
	for lines.Scan() {
		line := lines.Text()
		if _, after, ok := strings.Cut(line, " - "); ok {
			if fstype, _, _ := strings.Cut(after, " "); fstype == "cgroup" || fstype == "cgroup2" {
				mounts = append(mounts, line)
			}
		}
	}
	return cgroups, mounts
}

// answer runs one call into package limits, plain or, when withUsage is
// set, the one that reads the usage too, and converts its result.
func answer(query string, withUsage bool, plain func() (limits.Result, error),
	usage func() (limits.Result, limits.Usage, error)) Answer {
	var res limits.Result
	var u *limits.Usage
	var err error
	if withUsage {
		u = new(limits.Usage)
		res, *u, err = usage()
	} else {
		res, err = plain()
	}
	if err != nil {
		return Answer{Query: query, Error: err.Error()}
	}
	data, err := report.JSON(res, u)
	if err != nil {
		return Answer{Query: query, Error: err.Error()}
	}
	// A key Document lacks is an error here rather than a value the checks
	// never see.
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var doc Document
	if err := dec.Decode(&doc); err != nil {
		return Answer{Query: query, Error: err.Error()}
	}
	budget := res.SandboxBudget(1)
	return Answer{Query: query, Report: &doc, Budget: &budget}
}
