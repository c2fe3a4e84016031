package limits

import (
	"io/fs"
	"strconv"
	"sync"
	"syscall"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/readfile"
	"github.com/truelimit/truelimit/limits/internal/own"
	"github.com/truelimit/truelimit/limits/internal/under"
)

// maxProcFile bounds one read of a /proc file: mountinfo on a busy node can
// hold thousands of mounts. (own.MaxInterfaceFile bounds interface files.)
const maxProcFile = 16 << 20

// reader reads the files of one detection under the root, into reused
// buffers, and keeps what it read as plain data: the parsed mountinfo and
// /proc/<pid>/cgroup, where each controller's cgroup is, and the own values
// of every level the walks read. The answer and, for the calls that report
// them, the diagnostics are built from that data afterwards. It is not safe
// for concurrent use; each detection has its own.
type reader struct {
	root string
	// dir opens the files under the root, each resolved beneath it.
	dir  readfile.Root
	buf  []byte // /proc and /sys file contents, reused from read to read
	path []byte // the NUL-terminated path being read
	// mounts and members are the parsed mountinfo and /proc/<pid>/cgroup;
	// the strings they hold belong to the Result.
	mounts  []cgroup.Mount
	members []cgroup.Membership
	placed  placements
	// at is the cgroup whose files ReadFile reads; own reads them.
	at  cgroup.Location
	own own.Reader
	// readMore, set by report, reads the values the setters do not follow
	// (own.ReadMore); a function value, so that programs whose only
	// detection is the setters' do not link their parsers.
	readMore func(r *own.Reader, d own.Dir, version cgroup.Version, want own.Want, v *own.Values)
	// levels are the levels the walks read, in order, when keep says the
	// detection reports them; scratch is the one level read otherwise.
	levels  []level
	keep    bool
	scratch level
	// open, when set, serves interface files and R/proc/self/cgroup from
	// handles kept open across refreshes instead of opening them on every
	// read.
	open *openFiles
	// onMountInfo, when set, is shown the mountinfo start read (Detect
	// looks there for LXCFS); a function value, so that programs that never
	// call Detect do not link what it does. lxcfs says LXCFS serves
	// /proc/meminfo.
	onMountInfo func(r *reader, mountinfo []byte)
	lxcfs       bool
	// located is a copy of R/proc/self/cgroup as start read it through
	// open: what the cgroups were located from, for the refresh loop to
	// compare with.
	located []byte
	// res is the answer being built; a detection returns a copy.
	res Result
}

// level is one cgroup read on the walk of one controller.
type level struct {
	controller int // an index of controllerNames
	loc        cgroup.Location
	values     own.Values
}

// readers keeps readers, with their buffers, between detections: a detection
// then allocates only what its Result keeps.
var readers = sync.Pool{New: func() any {
	return &reader{buf: make([]byte, 0, 8192), path: make([]byte, 0, 512), own: *own.NewReader(4096)}
}}

// newReader takes a reader from the pool for a detection under root; open,
// when set, keeps the interface files open for a refresh.
func newReader(root string, beneath readfile.Beneath, open *openFiles) *reader {
	r := readers.Get().(*reader)
	r.reset(root, beneath, open)
	return r
}

// reset readies a reader for a detection.
func (r *reader) reset(root string, beneath readfile.Beneath, open *openFiles) {
	r.root, r.open, r.placed, r.at, r.res, r.keep = root, open, placements{}, cgroup.Location{}, Result{}, false
	r.located, r.onMountInfo, r.lxcfs, r.readMore = nil, nil, false, nil
	r.dir.Set(root, beneath)
	r.buf, r.path = r.buf[:0], r.path[:0]
	r.mounts, r.members, r.levels = r.mounts[:0], r.members[:0], r.levels[:0]
}

// release returns a pooled reader, dropping what it must not keep alive.
func (r *reader) release() {
	r.reset("/", readfile.Beneath{}, nil)
	clear(r.mounts[:cap(r.mounts)])
	clear(r.members[:cap(r.members)])
	clear(r.levels[:cap(r.levels)])
	readers.Put(r)
}

// abs returns the path of a file under the root, for messages and os
// calls: path is absolute, so it is appended to the root without its
// trailing slashes.
func (r *reader) abs(path string) string { return under.Prefix(r.root) + path }

// appendRoot starts a path in r.path with the root's prefix.
func (r *reader) appendRoot() []byte { return append(r.path[:0], under.Prefix(r.root)...) }

// traceRead, when set (by tests), is told the path of every file a detection
// reads, to count them and to replay them as an I/O baseline.
var traceRead func(path []byte)

// readProc reads a /proc or /sys file under the root.
func (r *reader) readProc(path string) ([]byte, error) {
	p := append(append(r.appendRoot(), path...), 0)
	r.path = p
	if traceRead != nil {
		traceRead(p)
	}
	var err error
	r.buf, err = r.dir.Read(p, r.buf, maxProcFile, readfile.AtEOF)
	return r.buf, err
}

// ReadFile reads one interface file of the cgroup at r.at: the root, the
// mount point, the path below the mount's root, the file. It is own.Dir's
// method, so that package own reads the cgroups the walks visit.
func (r *reader) ReadFile(name string, buf []byte) ([]byte, error) {
	file := orderedFile{mount: r.at.Mount.MountPoint, cgroup: r.at.Path, name: name}
	if r.open != nil && traceRead == nil {
		if data, ok, err := r.open.expected(file.mount, file.cgroup, name, buf, own.MaxInterfaceFile); ok {
			return data, err
		}
	}
	p := r.appendRoot()
	if r.at.Mount.MountPoint != "/" {
		p = append(p, r.at.Mount.MountPoint...)
	}
	p = append(append(append(append(p, r.at.Rel()...), '/'), name...), 0)
	r.path = p
	if traceRead != nil {
		traceRead(p)
	}
	if r.open != nil {
		return r.open.read(&r.dir, file, p[:len(p)-1], buf, own.MaxInterfaceFile)
	}
	return r.dir.Read(p, buf, own.MaxInterfaceFile, readfile.AtShortRead)
}

// read reads the values in want of the cgroup at loc into v: those the
// setters follow, and the others where report asked for them.
func (r *reader) read(loc cgroup.Location, want own.Want, v *own.Values) {
	r.at = loc
	r.own.ReadLimits(r, loc.Version, want, v)
	if r.readMore != nil {
		r.readMore(&r.own, r, loc.Version, want, v)
	}
}

// start reads what a detection starts from: the reader's mountinfo and,
// with memberships, /proc/<pid>/cgroup of the process pid (0 for the caller
// itself), whose paths the kernel writes relative to the reader's cgroup
// namespace. Both are parsed into reused slices.
func (r *reader) start(pid int, memberships bool) error {
	const mountinfo = "/proc/self/mountinfo"
	data, err := r.readProc(mountinfo)
	if err != nil {
		return r.fatal(mountinfo, err)
	}
	if r.mounts, err = cgroup.AppendMountInfo(r.mounts[:0], data); err != nil {
		return &Error{Path: r.abs(mountinfo), Err: err}
	}
	if r.onMountInfo != nil {
		r.onMountInfo(r, data)
	}
	if !memberships {
		return nil
	}
	path := selfCgroup
	switch {
	case pid != 0:
		path = "/proc/" + strconv.Itoa(pid) + "/cgroup"
		data, err = r.readProc(path)
	case r.open != nil:
		// The setters' refresh: the loop re-reads this file every tick
		// through the same handle and compares it with this copy.
		if data, err = r.readSelfCgroup(); err == nil {
			r.located = append([]byte(nil), data...)
		}
	default:
		data, err = r.readProc(path)
	}
	if err != nil {
		return r.fatal(path, err)
	}
	if r.members, err = cgroup.AppendProcCgroup(r.members[:0], data); err != nil {
		return &Error{Path: r.abs(path), Err: err}
	}
	return nil
}

// selfCgroup lists the calling process's cgroups.
const selfCgroup = "/proc/self/cgroup"

// readSelfCgroup reads R/proc/self/cgroup through a handle kept open in
// r.open, with one pread: a move into another cgroup changes no inode (the
// old cgroup's files read on until it is removed), so this file is how the
// refresh loop notices one. The kernel generates it in one piece
// (proc_cgroup_show through single_open), so a short read has all of it, as
// with an interface file; a fixture tree's copy must be rewritten in place,
// not replaced, for the handle to see the change.
func (r *reader) readSelfCgroup() ([]byte, error) {
	file := orderedFile{name: selfCgroup}
	var err error
	if traceRead == nil {
		var ok bool
		if r.buf, ok, err = r.open.expected("", "", selfCgroup, r.buf, maxProcFile); ok {
			return r.buf, err
		}
	}
	p := append(append(r.appendRoot(), selfCgroup...), 0)
	r.path = p
	if traceRead != nil {
		traceRead(p)
	}
	r.buf, err = r.open.read(&r.dir, file, p[:len(p)-1], r.buf, maxProcFile)
	return r.buf, err
}

// fatal wraps the failure to read a file without which there is no answer;
// a bare errno (how a missing file is read) becomes an *fs.PathError.
func (r *reader) fatal(path string, err error) *Error {
	if errno, ok := err.(syscall.Errno); ok {
		err = &fs.PathError{Op: "open", Path: r.abs(path), Err: errno}
	}
	return &Error{Path: r.abs(path), Err: err}
}
