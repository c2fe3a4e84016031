package limits

import (
	"errors"
	"io/fs"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/readfile"
)

// Bounds on what one read may return: interface files are small, mountinfo on
// a busy node can hold thousands of mounts.
const (
	maxInterfaceFile = 64 << 10
	maxProcFile      = 16 << 20
)

// reader reads files under the root into one reused buffer and collects the
// answer of one detection; with cfg.details set, also the walk and the
// diagnostics. It is not safe for concurrent use; each detection has its own.
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
	// hidden collects the reasons to think limits above the top visible
	// cgroup are invisible, for the ancestors-hidden diagnostic.
	hidden []string
}

// reset readies a pooled reader for a detection.
func (r *reader) reset(cfg config, open *openFiles) {
	r.cfg, r.res, r.open = cfg, Result{}, open
	r.buf, r.path, r.hidden = r.buf[:0], r.path[:0], r.hidden[:0]
	r.mounts, r.members = r.mounts[:0], r.members[:0]
}

// release returns a pooled reader, dropping what it must not keep alive.
func (r *reader) release() {
	r.res, r.open = Result{}, nil
	clear(r.mounts)
	clear(r.members)
	clear(r.hidden)
	r.mounts, r.members, r.hidden = r.mounts[:0], r.members[:0], r.hidden[:0]
	readers.Put(r)
}

// abs returns the path of a file under the root, for messages and os
// calls: path is absolute, so it is appended to the root without its
// trailing slashes.
func (r *reader) abs(path string) string {
	if r.cfg.root == "/" {
		return path
	}
	return trimSlashes(r.cfg.root) + path
}

// appendRoot starts a path in r.path with the root, if it is not "/".
func (r *reader) appendRoot() []byte {
	p := r.path[:0]
	if r.cfg.root != "/" {
		p = append(p, trimSlashes(r.cfg.root)...)
	}
	return p
}

// trimSlashes returns dir without its trailing slashes.
func trimSlashes(dir string) string {
	for len(dir) > 0 && dir[len(dir)-1] == '/' {
		dir = dir[:len(dir)-1]
	}
	return dir
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
	r.buf, err = readfile.Read(p, r.buf, maxProcFile, readfile.AtEOF)
	return r.buf, err
}

// readCgroup reads one interface file of the cgroup at loc. A missing file
// returns found false and no error; any other failure returns the error (and
// with details, adds a read-error diagnostic).
func (r *reader) readCgroup(loc cgroup.Location, file string) (data []byte, found bool, err error) {
	path := r.cgroupPath(loc, file)
	if traceRead != nil {
		traceRead(path)
	}
	if r.open != nil {
		r.buf, err = r.open.read(path[:len(path)-1], r.buf)
	} else {
		r.buf, err = readfile.Read(path, r.buf, maxInterfaceFile, readfile.AtShortRead)
	}
	if errors.Is(err, fs.ErrNotExist) {
		r.event(event{kind: eventAbsent, loc: loc, file: file})
		return nil, false, nil
	}
	if err != nil {
		r.event(event{kind: eventReadError, loc: loc, file: file, err: err})
		return nil, false, err
	}
	if r.cfg.walk {
		r.event(event{kind: eventRead, loc: loc, file: file, data: r.buf})
	}
	return r.buf, true, nil
}

// event hands what the walk met to the details, when the detection has them.
func (r *reader) event(e event) {
	if r.cfg.details != nil {
		r.cfg.details.event(r, e)
	}
}

// detailed reports whether the detection reads everything a report shows, not
// only what the setters follow.
func (r *reader) detailed() bool { return r.cfg.details != nil }
