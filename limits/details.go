package limits

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/parse"
	"github.com/truelimit/truelimit/v1"
	"github.com/truelimit/truelimit/v2"
)

// details is what the public detections (Detect, ForPID, ForCgroup) add to
// the walk they share with the setters: the diagnostics with their messages,
// the walk record, the placements, swap, the CPU weight, the cpuset, pids
// and the online CPUs. The setters leave config.details nil; reaching all of
// it only through this interface keeps it, and package systemd, out of a
// program that imports only the setters (limits/auto).
type details interface {
	// event is told what the walk met, as it meets it.
	event(r *reader, e event)
	// locateFailed turns a controller that cannot be located into a
	// diagnostic, or returns the error that ends the detection.
	locateFailed(r *reader, controller string, err error) error
	// host reads the host's totals only a report shows.
	host(r *reader)
	// finish reads what the setters do not follow and adds the diagnostics
	// that need the whole answer.
	finish(r *reader, p placements)
}

// eventKind says what an event is about.
type eventKind uint8

const (
	eventRead       eventKind = iota // an interface file was read (for the walk record)
	eventAbsent                      // an interface file does not exist
	eventReadError                   // an interface file could not be read: err
	eventBadValue                    // an interface file did not parse: err
	eventMissing                     // a file every such cgroup has is missing
	eventTopLimit                    // the top visible cgroup has a limit the root cannot have
	eventMountRoot                   // loc's hierarchy is mounted from a cgroup other than the root
	eventNotEnabled                  // the controller named by file is not enabled for loc (v2)
	eventNoCgroup                    // no cgroup filesystem is mounted
)

// event is one thing the walk met: the kind, the cgroup and file, and what
// the kind needs (the content read, a value, an error).
type event struct {
	kind  eventKind
	loc   cgroup.Location
	file  string
	data  []byte
	value uint64
	err   error
}

// fullDetails is the details of the public detections.
type fullDetails struct{}

func (fullDetails) event(r *reader, e event) {
	switch e.kind {
	case eventRead:
		r.record(e.loc, e.file, summarize(parse.TrimSpace(e.data)))
	case eventAbsent:
		r.record(e.loc, e.file, "(absent)")
	case eventReadError:
		r.record(e.loc, e.file, "(error: "+e.err.Error()+")")
		r.diag(CodeReadError, "cannot read "+r.filePath(e.loc, e.file)+": "+e.err.Error())
	case eventBadValue:
		r.badValue(e.loc, e.file, e.err)
	case eventMissing:
		switch e.file {
		case v2.Controllers:
			r.diag(CodeReadError, r.abs(e.loc.Dir())+" has no "+v2.Controllers+": the cgroup has vanished or is not a cgroup2 directory")
		case v1.CPUCFSPeriodUs:
			r.diag(CodeReadError, r.filePath(e.loc, e.file)+" is missing beside cpu.cfs_quota_us")
		default:
			r.diag(CodeReadError, r.filePath(e.loc, e.file)+" is missing: the cgroup has vanished or is not a memory cgroup")
		}
	case eventTopLimit:
		r.hidden = append(r.hidden, topLimitReason(e))
	case eventMountRoot:
		r.hidden = append(r.hidden, "the "+e.loc.Controller+" hierarchy is mounted from cgroup "+e.loc.Mount.Root+", not the root")
	case eventNotEnabled:
		r.diag(CodeControllerMissing, "the "+e.file+" controller is not enabled for cgroup "+e.loc.Path+
			" (absent from its cgroup.controllers): only limits set on ancestors that have it apply")
	case eventNoCgroup:
		r.diag(CodeNoCgroup, "no cgroup or cgroup2 filesystem is mounted: only the host's totals are known")
	}
}

// topLimitReason says why a limit on the top visible cgroup (or a lower v1
// hierarchical_memory_limit) means ancestors are hidden.
func topLimitReason(e event) string {
	switch e.file {
	case v1.MemoryLimitInBytes:
		return "the top visible cgroup " + e.loc.Path + " has memory.limit_in_bytes " +
			strconv.FormatUint(e.value, 10) + ", which the root cgroup cannot have"
	case v1.MemoryStat:
		return "memory.stat hierarchical_memory_limit " + strconv.FormatUint(e.value, 10) +
			" is lower than every visible memory.limit_in_bytes"
	case v1.CPUCFSQuotaUs:
		return "the top visible cgroup " + e.loc.Path + " has a CFS quota, which the root cgroup cannot have"
	}
	return "the top visible cgroup " + e.loc.Path + " has " + e.file + ", which the root cgroup lacks"
}

func (fullDetails) locateFailed(r *reader, controller string, err error) error {
	return r.locateFailed(controller, err)
}

func (fullDetails) host(r *reader) { r.onlineCPUs() }

func (fullDetails) finish(r *reader, p placements) {
	r.recordPlacements(p)
	if mem := p[memoryIdx]; mem.found && mem.loc.Version == 1 {
		r.leakRisk(mem.loc)
	}
	if cpu := p[cpuIdx]; cpu.found {
		r.cpuWeight(cpu)
	}
	if set := p[cpusetIdx]; set.found {
		r.cpuset(set)
	}
	if pids := p[pidsIdx]; pids.found {
		r.pids(pids)
	}
	if (p[memoryIdx].found || p[cpuIdx].found) && r.cfg.root == "/" {
		if reason := foreignCgroupNamespace(); reason != "" {
			r.hidden = append(r.hidden, reason)
		}
	}
	r.diagnoseAncestors(p)
	r.diagnoseNames(r.mounts, p)
}

// filePath is the path of an interface file under the root, for messages.
func (r *reader) filePath(loc cgroup.Location, file string) string {
	return r.abs(loc.Dir() + "/" + file)
}

func (r *reader) record(loc cgroup.Location, file, value string) {
	if r.cfg.walk {
		r.res.Walk = append(r.res.Walk, Reading{Controller: loc.Controller, Cgroup: loc.Path, File: file, Value: value})
	}
}

// summarize turns a file's content into a walk value: single-line files
// verbatim; of a flat-keyed file like memory.stat only the hierarchical_*
// lines, which the walk uses.
func summarize(content []byte) string {
	if bytes.IndexByte(content, '\n') < 0 {
		return string(content)
	}
	var kept []string
	lines := 0
	for line := range bytes.SplitSeq(content, []byte{'\n'}) {
		lines++
		if bytes.HasPrefix(line, []byte("hierarchical_")) {
			kept = append(kept, string(line))
		}
	}
	if len(kept) == 0 {
		return "(" + strconv.Itoa(lines) + " lines)"
	}
	return strings.Join(kept, ", ")
}

// badValue adds a bad-value diagnostic for a file that did not parse.
func (r *reader) badValue(loc cgroup.Location, file string, err error) {
	r.diag(CodeBadValue, r.filePath(loc, file)+": "+err.Error()+"; the value it feeds is unknown")
}

// diag adds a diagnostic, once per code and message.
func (r *reader) diag(code Code, msg string) {
	for _, d := range r.res.Diagnostics {
		if d.Code == code && d.Message == msg {
			return
		}
	}
	r.res.Diagnostics = append(r.res.Diagnostics, Diagnostic{Code: code, Message: msg})
}
