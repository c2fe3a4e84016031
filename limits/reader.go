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
	cfg config
	buf []byte
	res *Result
	// open, when set, serves interface files from handles kept open across
	// refreshes instead of opening them on every read.
	open *openFiles
	// refreshing skips the checks that do not change while a process runs
	// (kernel version, memory cgroup count, cgroup namespace).
	refreshing bool
}

// abs returns the path of a file under the root.
func (r *reader) abs(path string) string {
	if r.cfg.root == "/" {
		return path
	}
	return filepath.Join(r.cfg.root, path)
}

// readProc reads a /proc or /sys file under the root.
func (r *reader) readProc(path string) ([]byte, error) {
	var err error
	r.buf, err = readfile.Into(r.abs(path), r.buf, maxProcFile)
	return r.buf, err
}

// readCgroup reads one interface file of the cgroup at loc. A missing file
// returns found false and no error; any other failure adds a read-error
// diagnostic and returns the error.
func (r *reader) readCgroup(loc cgroup.Location, file string) (data []byte, found bool, err error) {
	path := r.abs(loc.Dir() + "/" + file)
	if r.open != nil {
		r.buf, err = r.open.read(path, r.buf)
	} else {
		r.buf, err = readfile.Into(path, r.buf, maxInterfaceFile)
	}
	if errors.Is(err, fs.ErrNotExist) {
		r.record(loc, file, "(absent)")
		return nil, false, nil
	}
	if err != nil {
		r.record(loc, file, "(error: "+err.Error()+")")
		r.diag(CodeReadError, "cannot read "+path+": "+err.Error())
		return nil, false, err
	}
	r.record(loc, file, summarize(parse.TrimSpace(r.buf)))
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
