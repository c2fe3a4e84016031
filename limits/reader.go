package limits

import (
	"bytes"
	"errors"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/parse"
	"github.com/truelimit/truelimit/internal/readfile"
)

// Bounds on what one read may return: interface files are small, mountinfo on
// a busy node can hold thousands of mounts.
const (
	maxInterfaceFile = 64 << 10
	maxProcFile      = 16 << 20
)

// reader reads files under the root into one reused buffer and collects the
// walk and the diagnostics of one detection. It is not safe for concurrent use;
// each detection has its own.
type reader struct {
	cfg  config
	buf  []byte // file contents, reused from read to read
	path []byte // the NUL-terminated path being read
	res  Result // the answer being built; run returns a copy
	// mounts and members are scratch for the parsed mountinfo and
	// /proc/<pid>/cgroup; the strings they hold belong to the Result.
	mounts  []cgroup.Mount
	members []cgroup.Membership
	// open, when set, serves interface files from handles kept open across
	// refreshes instead of opening them on every read.
	open *openFiles
	// refreshing skips the checks that do not change while a process runs
	// (kernel version, memory cgroup count, cgroup namespace).
	refreshing bool
}

// reset readies a pooled reader for a detection.
func (r *reader) reset(cfg config, open *openFiles) {
	r.cfg, r.res, r.open, r.refreshing = cfg, Result{}, open, false
	r.buf, r.path = r.buf[:0], r.path[:0]
}

// release returns a pooled reader, dropping what it must not keep alive.
func (r *reader) release() {
	r.res, r.open = Result{}, nil
	clear(r.mounts)
	clear(r.members)
	r.mounts, r.members = r.mounts[:0], r.members[:0]
	readers.Put(r)
}

// abs returns the path of a file under the root, for messages.
func (r *reader) abs(path string) string {
	if r.cfg.root == "/" {
		return path
	}
	return filepath.Join(r.cfg.root, path)
}

// appendRoot starts a path in r.path with the root, if it is not "/".
func (r *reader) appendRoot() []byte {
	p := r.path[:0]
	if r.cfg.root != "/" {
		p = append(p, strings.TrimRight(r.cfg.root, "/")...)
	}
	return p
}

// procPath builds the NUL-terminated path of a /proc or /sys file under the
// root in r.path.
func (r *reader) procPath(path string) []byte {
	p := append(append(r.appendRoot(), path...), 0)
	r.path = p
	return p
}

// cgroupPath builds the NUL-terminated path of an interface file of the
// cgroup at loc in r.path: root, mount point, the path below the mount's
// root, file.
func (r *reader) cgroupPath(loc cgroup.Location, file string) []byte {
	p := r.appendRoot()
	if loc.Mount.MountPoint != "/" {
		p = append(p, loc.Mount.MountPoint...)
	}
	p = append(append(append(append(p, loc.Rel()...), '/'), file...), 0)
	r.path = p
	return p
}

// traceRead, when set (by tests), is told the path of every file a detection
// reads, to count them and to replay them as an I/O baseline.
var traceRead func(path []byte)

// readProc reads a /proc or /sys file under the root.
func (r *reader) readProc(path string) ([]byte, error) {
	var err error
	p := r.procPath(path)
	if traceRead != nil {
		traceRead(p)
	}
	r.buf, err = readfile.IntoPath(p, r.buf, maxProcFile)
	return r.buf, err
}

// readCgroup reads one interface file of the cgroup at loc. A missing file
// returns found false and no error; any other failure adds a read-error
// diagnostic and returns the error.
func (r *reader) readCgroup(loc cgroup.Location, file string) (data []byte, found bool, err error) {
	path := r.cgroupPath(loc, file)
	if traceRead != nil {
		traceRead(path)
	}
	if r.open != nil {
		r.buf, err = r.open.read(path[:len(path)-1], r.buf)
	} else {
		r.buf, err = readfile.InterfaceFile(path, r.buf, maxInterfaceFile)
	}
	if errors.Is(err, fs.ErrNotExist) {
		r.record(loc, file, "(absent)")
		return nil, false, nil
	}
	if err != nil {
		r.record(loc, file, "(error: "+err.Error()+")")
		r.diag(CodeReadError, "cannot read "+string(path[:len(path)-1])+": "+err.Error())
		return nil, false, err
	}
	if r.cfg.walk {
		r.record(loc, file, summarize(parse.TrimSpace(r.buf)))
	}
	return r.buf, true, nil
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
	r.diag(CodeBadValue, r.abs(loc.Dir()+"/"+file)+": "+err.Error()+"; the value it feeds is unknown")
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
