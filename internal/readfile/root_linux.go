package readfile

import (
	"sync/atomic"
	"syscall"
	"unsafe"
)

// openat2(2) (include/uapi/linux/openat2.h): the system call number is the
// same on every architecture, which package syscall does not know.
const (
	sysOpenat2          = 437
	resolveNoMagiclinks = 0x02
	resolveBeneath      = 0x08
	resolveInRoot       = 0x10
	// oPath is O_PATH, 0x200000 on every architecture Go supports, which
	// package syscall does not define everywhere.
	oPath = 0x200000
	// maxLinks is the kernel's MAXSYMLINKS: more links on one resolution is
	// ELOOP.
	maxLinks = 40
	// walkBuf bounds what the walk holds of a path still to resolve.
	walkBuf = 2 * 4096
)

// openHow is struct open_how.
type openHow struct {
	flags, mode, resolve uint64
}

// noOpenat2 is set once openat2 has failed with ENOSYS, EPERM or EINVAL
// (a kernel before 5.6, a seccomp profile that denies it, gVisor): the walk
// serves from then on. forceWalk (SetForceWalk, for tests) does the same.
var noOpenat2, forceWalk atomic.Bool

// SetForceWalk makes every contained open use the component walk instead of
// openat2, so that tests run it on a kernel that has openat2. It returns a
// function that restores the previous setting. Not for concurrent tests.
func SetForceWalk(on bool) (restore func()) {
	prev := forceWalk.Swap(on)
	return func() { forceWalk.Store(prev) }
}

// rootDir is the open root directory of a Root.
type rootDir struct {
	fd     int
	opened bool
	err    error // why it could not be opened
}

func (r *rootDir) close() {
	if r.opened {
		syscall.Close(r.fd)
	}
	r.opened, r.err = false, nil
}

// get returns the root directory, opening dir on first use. dir itself is
// trusted: it is opened following links.
func (r *rootDir) get(dir string) (int, error) {
	if !r.opened && r.err == nil {
		fd, err := openFlags(atFDCWD, dir, oPath|syscall.O_DIRECTORY|syscall.O_CLOEXEC)
		if err != nil {
			r.err = err
		} else {
			r.fd, r.opened = fd, true
		}
	}
	return r.fd, r.err
}

// fileFlags open a file to read: non-blocking, so that a FIFO or a device
// cannot hang the read (a FIFO opened so reads as empty or EAGAIN).
const fileFlags = syscall.O_RDONLY | syscall.O_CLOEXEC | syscall.O_NONBLOCK

// openContained opens rel (an absolute, NUL-terminated path inside the
// root) beneath the root directory as a regular file.
func (d *Root) openContained(_, rel []byte, pread bool) (file, error) {
	rootfd, err := d.sys.get(d.dir)
	if err != nil {
		return file{}, err
	}
	fd, err := resolve(rootfd, rel, fileFlags, resolveInRoot)
	if err != nil {
		return file{}, err
	}
	f := file{fd: fd, pread: pread}
	if err := f.regular(); err != nil {
		f.close()
		return file{}, err
	}
	return f, nil
}

// OpenDir opens the directory at path (the root's prefix and an absolute
// path) for listing (O_RDONLY|O_DIRECTORY), resolved beneath the root as
// Read resolves a file: the top of a hierarchy, whose mount point may be a
// link inside the root (v1 cpu -> cpu,cpuacct).
func (d *Root) OpenDir(path string) (int, error) {
	const flags = syscall.O_RDONLY | syscall.O_DIRECTORY | syscall.O_CLOEXEC
	if d.live() {
		return openFlags(atFDCWD, path, flags)
	}
	p := append([]byte(path), 0)
	rel, err := d.rel(p)
	if err != nil {
		return -1, err
	}
	rootfd, err := d.sys.get(d.dir)
	if err != nil {
		return -1, err
	}
	return resolve(rootfd, rel, flags, resolveInRoot)
}

// DirBelow reports whether base/rel is a directory, where base is an
// absolute path inside the root (a mount point), resolved as Read resolves a
// path, and rel ("/a/b", or "") is followed from base without following any
// link: nil if so, the bare errno ENOENT if a component does not exist,
// ErrSymlink if one is a link, another error otherwise. ForCgroup checks a
// cgroup's directory with it: a cgroup filesystem has no links.
func (d *Root) DirBelow(base, rel string) error {
	const dirFlags = oPath | syscall.O_DIRECTORY | syscall.O_CLOEXEC
	var fd int
	var err error
	if d.live() {
		fd, err = openFlags(atFDCWD, base, dirFlags)
	} else {
		var rootfd int
		if rootfd, err = d.sys.get(d.dir); err == nil {
			fd, err = resolve(rootfd, append([]byte(base), 0), dirFlags, resolveInRoot)
		}
	}
	if err != nil {
		return err
	}
	defer func() { syscall.Close(fd) }()
	var name [256]byte
	var target [1]byte
	for rest := rel; ; {
		var c string
		if c, rest = nextComponent(rest); c == "" {
			return nil
		}
		if len(c) >= len(name) {
			return syscall.ENAMETOOLONG
		}
		n := copy(name[:], c)
		name[n] = 0
		child, err := openAtFlags(fd, name[:n+1], dirFlags|syscall.O_NOFOLLOW)
		if err == syscall.ENOTDIR || err == syscall.ELOOP {
			if _, lerr := readlinkAt(fd, name[:n+1], target[:]); lerr == 0 {
				return ErrSymlink
			}
		}
		if err != nil {
			return err
		}
		syscall.Close(fd)
		fd = child
	}
}

// resolve opens path (NUL-terminated) relative to dirfd with flags,
// resolving it as openat2's resolve says (resolveInRoot: beneath dirfd as if
// it were "/"; resolveBeneath: beneath dirfd, failing with EXDEV on a way
// out), with openat2 or, where that is not available, the walk.
func resolve(dirfd int, path []byte, flags int, how uint64) (int, error) {
	if !forceWalk.Load() && !noOpenat2.Load() {
		fd, err := openat2(dirfd, path, flags, how|resolveNoMagiclinks)
		switch err {
		case syscall.ENOSYS, syscall.EPERM, syscall.EINVAL:
			noOpenat2.Store(true)
		default:
			return fd, err
		}
	}
	return walk(dirfd, path, flags, how == resolveBeneath)
}

// openat2 calls openat2(2). RESOLVE_IN_ROOT fails with EAGAIN when a
// rename elsewhere raced the resolution; it is tried again a few times.
func openat2(dirfd int, path []byte, flags int, resolve uint64) (int, error) {
	how := openHow{flags: uint64(flags), resolve: resolve}
	for again := 0; ; {
		fd, _, errno := syscall.Syscall6(sysOpenat2, uintptr(dirfd), uintptr(unsafe.Pointer(&path[0])),
			uintptr(unsafe.Pointer(&how)), unsafe.Sizeof(how), 0, 0)
		switch {
		case errno == 0:
			return int(fd), nil
		case errno == syscall.EINTR, errno == syscall.EAGAIN && again < 8:
			again++
			continue
		}
		return -1, errno
	}
}

// walk is openat2's resolution done one component at a time: each
// component is opened relative to the directory before it with O_NOFOLLOW
// (O_PATH for directories on the way); a link is read with readlinkat and
// its target put in front of what is left, an absolute target starting again
// at dirfd; ".." climbs back to the directory opened before, never above
// dirfd. With beneath, an absolute target or ".." at dirfd fails with EXDEV
// (RESOLVE_BENEATH) instead. More than 40 links is ELOOP. The directories on
// the way are held open, so a rename elsewhere cannot move the walk out.
func walk(dirfd int, path []byte, flags int, beneath bool) (int, error) {
	var stackArr [16]int
	stack := stackArr[:0] // the directories below dirfd, deepest last
	defer func() {
		for _, fd := range stack {
			syscall.Close(fd)
		}
	}()
	cur := func() int {
		if len(stack) == 0 {
			return dirfd
		}
		return stack[len(stack)-1]
	}
	// buf[start:] is the path still to resolve: a link's target is put in
	// front of it.
	var buf [walkBuf]byte
	p := path[:len(path)-1]
	if len(p) > len(buf) {
		return -1, syscall.ENAMETOOLONG
	}
	start := len(buf) - copy(buf[len(buf)-len(p):], p)
	var name [256]byte
	var target [4096]byte
	links := 0
	for {
		for start < len(buf) && buf[start] == '/' {
			start++
		}
		if start == len(buf) {
			// Nothing left: the directory reached is the file.
			return openAtFlags(cur(), []byte(".\x00"), flags)
		}
		end := start
		for end < len(buf) && buf[end] != '/' {
			end++
		}
		c := buf[start:end]
		start = end
		if string(c) == "." {
			continue
		}
		if string(c) == ".." {
			switch {
			case len(stack) > 0:
				syscall.Close(stack[len(stack)-1])
				stack = stack[:len(stack)-1]
			case beneath:
				return -1, syscall.EXDEV
			}
			continue
		}
		if len(c) >= len(name) {
			return -1, syscall.ENAMETOOLONG
		}
		copy(name[:], c)
		name[len(c)] = 0
		nm := name[:len(c)+1]
		last := true
		for i := start; i < len(buf); i++ {
			if buf[i] != '/' {
				last = false
				break
			}
		}
		f := oPath | syscall.O_DIRECTORY | syscall.O_NOFOLLOW | syscall.O_CLOEXEC
		if last {
			f = flags | syscall.O_NOFOLLOW
		}
		fd, err := openAtFlags(cur(), nm, f)
		if err == nil {
			if last {
				return fd, nil
			}
			stack = append(stack, fd)
			continue
		}
		if err != syscall.ELOOP && err != syscall.ENOTDIR {
			return -1, err
		}
		tn, lerr := readlinkAt(cur(), nm, target[:])
		if lerr != 0 {
			return -1, err // not a link: the open's error
		}
		t := target[:tn]
		if len(t) == 0 {
			return -1, syscall.ENOENT
		}
		if links++; links > maxLinks {
			return -1, syscall.ELOOP
		}
		if len(t) == len(target) || len(t)+1 > start {
			return -1, syscall.ENAMETOOLONG
		}
		start--
		buf[start] = '/'
		start -= copy(buf[start-len(t):], t)
		if t[0] == '/' {
			if beneath {
				return -1, syscall.EXDEV
			}
			for _, fd := range stack {
				syscall.Close(fd)
			}
			stack = stack[:0]
		}
	}
}

// openFlags opens path relative to dirfd with flags, converting it.
func openFlags(dirfd int, path string, flags int) (int, error) {
	p, err := syscall.BytePtrFromString(path)
	if err != nil {
		return -1, err
	}
	return openAtFlags(dirfd, unsafe.Slice(p, len(path)+1), flags)
}

// openAtFlags is openat(2) of a NUL-terminated path with flags.
func openAtFlags(dirfd int, path []byte, flags int) (int, error) {
	for {
		fd, _, errno := syscall.Syscall6(syscall.SYS_OPENAT, uintptr(dirfd), uintptr(unsafe.Pointer(&path[0])),
			uintptr(flags), 0, 0, 0)
		switch errno {
		case 0:
			return int(fd), nil
		case syscall.EINTR:
			continue
		}
		return -1, errno
	}
}

// readlinkAt is readlinkat(2) of a NUL-terminated path into buf: the
// length of the target read, or the errno. Small enough to be inlined.
func readlinkAt(dirfd int, path, buf []byte) (int, syscall.Errno) {
	n, _, errno := syscall.Syscall6(syscall.SYS_READLINKAT, uintptr(dirfd), uintptr(unsafe.Pointer(&path[0])),
		uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0, 0)
	return int(n), errno
}
