package pressure

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/limits"
	cgv1 "github.com/truelimit/truelimit/v1"
	cgv2 "github.com/truelimit/truelimit/v2"
)

// Watch sets up the sources (see the package documentation) for the
// calling process's cgroups, located once, and delivers their events
// until ctx is done; then the Watcher's goroutines end, its files are
// closed and Events is closed. Sources that cannot be set up (a read-only
// cgroupfs, no PSI, no permission) are not an error: the next source is
// used and Sources says why. Watch returns a *NoSourceError only when no
// source at all could be set up, and an error wrapping ErrBadOption for an
// option out of range.
func Watch(ctx context.Context, opts ...Option) (*Watcher, error) {
	cfg := newConfig(opts)
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	l := &loop{cfg: cfg, buf: make([]byte, 0, 512)}
	if err := l.setUp(); err != nil {
		l.close()
		return nil, err
	}
	w := &Watcher{events: make(chan Event, cfg.buffer), done: make(chan struct{}), setups: slices.Clone(l.setups)}
	l.w = w
	wake := l.wake // the loop closes it only after this write woke it
	go func() {
		<-ctx.Done()
		one := [8]byte{1}
		_, _ = unix.Write(wake, one[:])
	}()
	go l.run()
	return w, nil
}

func (c *config) validate() error {
	switch {
	case c.stall <= 0 || c.window <= 0:
		return fmt.Errorf("%w: threshold %v in %v", ErrBadOption, c.stall, c.window)
	case c.fraction < 0 || c.fraction >= 1:
		return fmt.Errorf("%w: headroom fraction %v is not in [0, 1)", ErrBadOption, c.fraction)
	case c.v1Level != "low" && c.v1Level != "medium" && c.v1Level != "critical":
		return fmt.Errorf("%w: v1 level %q is not low, medium or critical", ErrBadOption, c.v1Level)
	}
	return nil
}

// What a watched file descriptor is.
const (
	fdPSI     = iota // a PSI file with a trigger: POLLPRI
	fdStream         // systemd's socket or FIFO: POLLIN, read and discard
	fdInotify        // inotify on memory.events: POLLIN
	fdEventfd        // a v1 eventfd: POLLIN, 8 bytes
)

// watched is one file descriptor in the poll set (after the wake eventfd).
type watched struct {
	fd     int
	kind   int
	setup  int    // index in loop.setups
	event  Kind   // what an fdEventfd signals
	total  uint64 // fdPSI: the some total at the previous event
	cgroup string
}

// loop is the watcher's state, owned by its goroutine once it runs.
type loop struct {
	cfg     config
	w       *Watcher
	setups  []Setup
	wake    int
	watches []watched
	pfds    []unix.PollFd

	poller          *limits.UsagePoller
	usage           limits.Usage
	own, limitPath  string // the memory cgroup and the level that sets the limit
	v1              bool   // the memory cgroup is v1
	counts, lcounts limits.MemoryEvents
	threshold       uint64
	low             bool

	psiPoll, counterPoll, headroomPoll int // index in setups, or -1
	lastTick                           time.Time
	lastTotal                          uint64
	psiAt                              time.Time
	lastFree                           time.Time
	dropped                            uint64
	buf                                []byte
}

// setUp locates the cgroups and sets up every source it can.
func (l *loop) setUp() error {
	l.wake, l.psiPoll, l.counterPoll, l.headroomPoll = -1, -1, -1, -1
	fd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return fmt.Errorf("pressure: eventfd: %w", err)
	}
	l.wake = fd
	cfg := &l.cfg

	poller, res, u, perr := limits.NewUsagePoller()
	if perr == nil {
		l.poller, l.usage = poller, u
		l.counts = u.Memory.Events
		if le := u.Memory.LimitEvents; le != nil {
			l.lcounts, l.limitPath = le.MemoryEvents, le.Source
		}
		if lim := res.Memory.Limit; lim.State == limits.Limited {
			l.threshold = cfg.bytes
			if cfg.fraction > 0 {
				l.threshold = uint64(float64(lim.Value) * cfg.fraction)
			}
		}
		if p := u.Pressure.Memory; p != nil {
			l.lastTotal = p.Some.TotalUsec
		}
	}
	mounts, mem, uni := locate()
	pressureOn, havePressure := true, false

	if cfg.sources&SourceSystemd != 0 {
		if path, ok := cfg.lookupEnv("MEMORY_PRESSURE_WATCH"); ok && path != "" {
			if path == "/dev/null" {
				pressureOn = false
				l.setups = append(l.setups, Setup{Source: SourceSystemd, File: path,
					How: "pressure events turned off: $MEMORY_PRESSURE_WATCH is /dev/null"})
			} else {
				havePressure = l.systemd(path)
			}
		}
	}
	privileged := hasCapSysResource()
	if pressureOn && !havePressure && cfg.sources&SourceTrigger != 0 && uni != nil {
		havePressure = l.trigger(uni.Path, filepath.Join(uni.Dir(), cgv2.MemoryPressure), privileged)
		if mem != nil && mem.Version == cgroup.V2 && l.limitPath != "" && l.limitPath != mem.Path {
			if loc, err := cgroup.LocatePath(mounts, "memory", l.limitPath); err == nil {
				l.trigger(loc.Path, filepath.Join(loc.Dir(), cgv2.MemoryPressure), privileged)
			}
		}
	}
	if pressureOn && !havePressure && cfg.sources&SourceV1Level != 0 && mem != nil && mem.Version == cgroup.V1 {
		havePressure = l.eventfd(SourceV1Level, KindPressure, mem, "memory.pressure_level", cfg.v1Level)
	}
	if pressureOn && !havePressure && cfg.sources&SourcePSIPoll != 0 && l.poller != nil {
		if l.usage.Pressure.Memory != nil {
			l.psiPoll = l.poll(SourcePSIPoll, l.unifiedPath(uni), cgv2.MemoryPressure)
			havePressure = true
		} else {
			l.setups = append(l.setups, Setup{Source: SourcePSIPoll, File: cgv2.MemoryPressure,
				How: "no memory.pressure: no cgroup2 cgroup, or PSI is off"})
		}
	}
	if pressureOn && !havePressure && cfg.sources&SourceHeadroomPoll != 0 && l.poller != nil && l.threshold > 0 {
		l.headroomPoll = l.poll(SourceHeadroomPoll, l.usage.Memory.Headroom.Source, "memory limit")
	}

	if mem != nil {
		l.own, l.v1 = mem.Path, mem.Version == cgroup.V1
		l.counters(mounts, mem)
	}
	for _, s := range l.setups {
		if s.Active {
			return nil
		}
	}
	if perr != nil {
		l.setups = append(l.setups, Setup{How: "locating the cgroups: " + perr.Error()})
	}
	return &NoSourceError{Setups: l.setups}
}

// counters sets up the watching of the memory events: inotify on v2
// memory.events (the process's cgroup and the level that sets its limit),
// an eventfd on v1 memory.oom_control, and polling where these cannot be
// set up or (v1 memory.failcnt) have no notification.
func (l *loop) counters(mounts []cgroup.Mount, mem *cgroup.Location) {
	cfg := &l.cfg
	needPoll := false
	if mem.Version == cgroup.V2 {
		if cfg.sources&SourceInotify == 0 || !l.inotify(mounts, mem) {
			needPoll = true
		}
	} else {
		if cfg.sources&SourceV1OOM != 0 {
			l.eventfd(SourceV1OOM, KindOOM, mem, cgv1.MemoryOOMControl, "")
		}
		needPoll = true // memory.failcnt has no notification
	}
	if needPoll && cfg.sources&SourceCounterPoll != 0 && l.poller != nil {
		file := cgv2.MemoryEvents
		if mem.Version == cgroup.V1 {
			file = cgv1.MemoryFailcnt + ", " + cgv1.MemoryOOMControl
		}
		l.counterPoll = l.poll(SourceCounterPoll, mem.Path, file)
	}
}

// poll records a polling source and returns its index in setups.
func (l *loop) poll(src Source, cgroupPath, file string) int {
	l.setups = append(l.setups, Setup{Source: src, Active: true, Cgroup: cgroupPath, File: file,
		How: "polled every " + l.cfg.interval.String()})
	return len(l.setups) - 1
}

func (l *loop) unifiedPath(uni *cgroup.Location) string {
	if uni == nil {
		return ""
	}
	return uni.Path
}

// add puts fd into the poll set.
func (l *loop) add(w watched, events int16) {
	l.watches = append(l.watches, w)
	l.pfds = append(l.pfds, unix.PollFd{Fd: int32(w.fd), Events: events})
}

// systemd sets up $MEMORY_PRESSURE_WATCH as systemd's docs/PRESSURE.md
// says: a regular file is a PSI file (write the decoded
// $MEMORY_PRESSURE_WRITE, watch POLLPRI); a FIFO and an AF_UNIX socket are
// watched for POLLIN, after the data is written to them.
func (l *loop) systemd(path string) bool {
	st := Setup{Source: SourceSystemd, File: path}
	fail := func(how string) bool {
		st.How = how + "; falling back"
		l.setups = append(l.setups, st)
		return false
	}
	var data []byte
	if enc, ok := l.cfg.lookupEnv("MEMORY_PRESSURE_WRITE"); ok && enc != "" {
		d, err := decodeWrite(enc)
		if err != nil {
			return fail(err.Error())
		}
		data = d
	}
	var fi unix.Stat_t
	if err := unix.Stat(path, &fi); err != nil {
		return fail("stat: " + err.Error())
	}
	var fd, kind int
	var events int16
	switch fi.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		f, err := unix.Open(path, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err != nil {
			return fail("open: " + err.Error())
		}
		fd, kind, events, st.How = f, fdPSI, unix.POLLPRI, "PSI file, POLLPRI"
	case unix.S_IFIFO:
		// Opened for reading and writing, so that the FIFO always has a
		// writer: a reader alone would see POLLHUP for good once the
		// last writer closed (fifo(7)).
		f, err := unix.Open(path, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err != nil {
			return fail("open: " + err.Error())
		}
		fd, kind, events, st.How = f, fdStream, unix.POLLIN, "FIFO, POLLIN"
	case unix.S_IFSOCK:
		s, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return fail("socket: " + err.Error())
		}
		if err := unix.Connect(s, &unix.SockaddrUnix{Name: path}); err != nil && !errors.Is(err, unix.EINPROGRESS) {
			unix.Close(s)
			return fail("connect: " + err.Error())
		}
		fd, kind, events, st.How = s, fdStream, unix.POLLIN, "AF_UNIX stream socket, POLLIN"
	default:
		return fail(fmt.Sprintf("not a regular file, FIFO or socket (mode %#o)", fi.Mode&unix.S_IFMT))
	}
	if len(data) > 0 {
		if err := writeAll(fd, data); err != nil {
			unix.Close(fd)
			return fail("write $MEMORY_PRESSURE_WRITE: " + err.Error())
		}
		st.How += ", wrote " + strconv.Quote(string(data))
		if fi.Mode&unix.S_IFMT == unix.S_IFIFO {
			l.drain(fd) // the data written comes back to this reader
		}
	}
	st.Active = true
	l.setups = append(l.setups, st)
	w := watched{fd: fd, kind: kind, setup: len(l.setups) - 1}
	if kind == fdPSI {
		w.total = l.psiTotal(fd)
	}
	l.add(w, events)
	return true
}

// writeAll writes b to the non-blocking fd, waiting for POLLOUT when a
// socket's buffer is full (or its connection still in progress).
func writeAll(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := unix.Write(fd, b)
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.ENOTCONN) {
			p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
			if _, err := unix.Poll(p, 5000); err != nil && !errors.Is(err, unix.EINTR) {
				return err
			}
			if p[0].Revents&unix.POLLOUT == 0 {
				return errors.New("not writable after 5s")
			}
			continue
		}
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// trigger writes a PSI trigger to the memory.pressure file of a cgroup:
// open O_RDWR (EACCES or EROFS: not writable; EPERM: 6.2–6.4 kernels asked
// for CAP_SYS_RESOURCE at open), write the trigger (EINVAL for a window
// that is not a multiple of 2 s without CAP_SYS_RESOURCE: rounded up and
// written again).
func (l *loop) trigger(cgroupPath, file string, privileged bool) bool {
	st := Setup{Source: SourceTrigger, Cgroup: cgroupPath, File: file}
	t := newTrigger(l.cfg.stall, l.cfg.window, privileged)
	fd, err := unix.Open(file, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		st.How = "open for writing: " + err.Error() + triggerFallback(err)
		l.setups = append(l.setups, st)
		return false
	}
	_, err = unix.Write(fd, []byte(t.line()))
	if errors.Is(err, unix.EINVAL) {
		if r, ok := t.rounded(); ok {
			t = r
			_, err = unix.Write(fd, []byte(t.line()))
		}
	}
	if err != nil {
		unix.Close(fd)
		st.How = "write " + strconv.Quote(t.line()) + ": " + err.Error() + triggerFallback(err)
		l.setups = append(l.setups, st)
		return false
	}
	st.Active, st.How = true, t.how
	l.setups = append(l.setups, st)
	l.add(watched{fd: fd, kind: fdPSI, setup: len(l.setups) - 1, cgroup: cgroupPath, total: l.psiTotal(fd)}, unix.POLLPRI)
	return true
}

// triggerFallback says why a trigger failed, for Setup.How.
func triggerFallback(err error) string {
	switch {
	case errors.Is(err, unix.EROFS):
		return " (read-only cgroupfs)"
	case errors.Is(err, unix.EACCES):
		return " (no write permission)"
	case errors.Is(err, unix.EPERM):
		return " (this kernel wants CAP_SYS_RESOURCE for triggers)"
	case errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.ENOENT):
		return " (no PSI)"
	}
	return ""
}

// psiTotal reads the some total of the PSI file open at fd, 0 when it
// cannot be read.
func (l *loop) psiTotal(fd int) uint64 {
	n, err := unix.Pread(fd, l.buf[:cap(l.buf)], 0)
	if err != nil || n <= 0 {
		return 0
	}
	p, err := cgv2.ParsePressure(l.buf[:n])
	if err != nil {
		return 0
	}
	return p.Some.TotalUsec
}

// inotify watches the memory.events of the cgroup and of the level that
// sets its limit for IN_MODIFY: the kernel notifies a change of the file's
// counters as a modification (cgroup_file_notify), also on a read-only
// mount.
func (l *loop) inotify(mounts []cgroup.Mount, mem *cgroup.Location) bool {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		l.setups = append(l.setups, Setup{Source: SourceInotify, Cgroup: mem.Path, File: cgv2.MemoryEvents,
			How: "inotify_init1: " + err.Error()})
		return false
	}
	levels := []cgroup.Location{*mem}
	if l.limitPath != "" && l.limitPath != mem.Path {
		if loc, err := cgroup.LocatePath(mounts, "memory", l.limitPath); err == nil {
			levels = append(levels, loc)
		}
	}
	first, ok := len(l.setups), false
	for _, loc := range levels {
		st := Setup{Source: SourceInotify, Cgroup: loc.Path, File: filepath.Join(loc.Dir(), cgv2.MemoryEvents)}
		if _, err := unix.InotifyAddWatch(fd, st.File, unix.IN_MODIFY); err != nil {
			st.How = "inotify_add_watch: " + err.Error()
		} else {
			st.Active, st.How, ok = true, "IN_MODIFY", true
		}
		l.setups = append(l.setups, st)
	}
	if !ok {
		unix.Close(fd)
		return false
	}
	l.add(watched{fd: fd, kind: fdInotify, setup: first, cgroup: mem.Path}, unix.POLLIN)
	return true
}

// eventfd registers a v1 notification through cgroup.event_control
// (Documentation/admin-guide/cgroup-v1/memory.rst, "Memory thresholds",
// "OOM Control", "Memory Pressure"): "<eventfd> <fd of file> [args]".
func (l *loop) eventfd(src Source, kind Kind, mem *cgroup.Location, file, args string) bool {
	dir := mem.Dir()
	st := Setup{Source: src, Cgroup: mem.Path, File: filepath.Join(dir, file)}
	fail := func(what string, err error) bool {
		st.How = what + ": " + err.Error()
		l.setups = append(l.setups, st)
		return false
	}
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return fail("eventfd", err)
	}
	target, err := unix.Open(st.File, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		unix.Close(efd)
		return fail("open", err)
	}
	defer unix.Close(target)
	ctl, err := unix.Open(filepath.Join(dir, "cgroup.event_control"), unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		unix.Close(efd)
		return fail("open cgroup.event_control", err)
	}
	defer unix.Close(ctl)
	line := strconv.Itoa(efd) + " " + strconv.Itoa(target)
	if args != "" {
		line += " " + args
	}
	if _, err := unix.Write(ctl, []byte(line)); err != nil {
		unix.Close(efd)
		return fail("write cgroup.event_control", err)
	}
	st.Active, st.How = true, "cgroup.event_control, eventfd"
	if args != "" {
		st.How += ", level " + args
	}
	l.setups = append(l.setups, st)
	l.add(watched{fd: efd, kind: fdEventfd, setup: len(l.setups) - 1, event: kind, cgroup: mem.Path}, unix.POLLIN)
	return true
}

// run is the watcher's goroutine: poll(2) on the wake eventfd and every
// source, with a timeout only when a polling source is active.
func (l *loop) run() {
	defer close(l.w.done)
	defer close(l.w.events)
	defer l.close()
	fds := append([]unix.PollFd{{Fd: int32(l.wake), Events: unix.POLLIN}}, l.pfds...)
	timed := l.psiPoll >= 0 || l.counterPoll >= 0 || l.headroomPoll >= 0
	l.lastTick = time.Now()
	l.psiAt = l.lastTick
	for {
		timeout := -1
		if timed {
			timeout = max(0, int(time.Until(l.lastTick.Add(l.cfg.interval)).Milliseconds()))
		}
		for i := range fds {
			fds[i].Revents = 0
		}
		n, err := unix.Poll(fds, timeout)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if fds[0].Revents != 0 || err != nil {
			return
		}
		l.w.wakeups.Add(1)
		now := time.Now()
		cause, oom := Source(0), false
		for i := 1; i < len(fds); i++ {
			if fds[i].Revents == 0 {
				continue
			}
			w := &l.watches[i-1]
			oom = oom || w.kind == fdEventfd && w.event == KindOOM
			if !l.handle(w, fds[i].Revents, now) {
				unix.Close(w.fd)
				fds[i].Fd = -1 // poll(2) ignores a negative fd
				w.fd = -1
				l.setups[w.setup].Active = false
				l.setups[w.setup].How += "; ended: the file stopped signalling"
				l.w.setSetup(w.setup, l.setups[w.setup])
			}
			cause = l.setups[w.setup].Source
		}
		if n == 0 || !now.Before(l.lastTick.Add(l.cfg.interval)) && timed {
			l.lastTick = now
			l.tick(now)
			continue
		}
		if !oom {
			// After a v1 OOM notification the counters wait for the next
			// poll: reading cgroup files charges kernel memory to the
			// cgroup, which, while the OOM killer is at work, could make
			// the watcher the next victim.
			l.sample(now, cause)
		}
	}
}

// handle reads what the file descriptor signalled and emits its event; it
// returns false when the source has ended (the cgroup was removed, the
// socket closed).
func (l *loop) handle(w *watched, revents int16, now time.Time) bool {
	st := &l.setups[w.setup]
	ev := Event{Source: st.Source, Cgroup: w.cgroup, File: st.File, How: st.How, Time: now}
	switch w.kind {
	case fdPSI:
		if revents&(unix.POLLERR|unix.POLLNVAL) != 0 {
			return false
		}
		total := l.psiTotal(w.fd)
		ev.Kind, ev.StallUsec = KindPressure, total-min(total, w.total)
		w.total = total
		l.emit(ev)
	case fdStream:
		if !l.drain(w.fd) {
			return false
		}
		ev.Kind = KindPressure
		l.emit(ev)
	case fdInotify:
		l.drain(w.fd)
	case fdEventfd:
		var b [8]byte
		if n, err := unix.Read(w.fd, b[:]); err != nil || n != 8 {
			return errors.Is(err, unix.EAGAIN)
		}
		ev.Kind, ev.Count = w.event, uint64(b[0])|uint64(b[1])<<8|uint64(b[2])<<16|uint64(b[3])<<24|
			uint64(b[4])<<32|uint64(b[5])<<40|uint64(b[6])<<48|uint64(b[7])<<56
		ev.Delta = ev.Count
		l.emit(ev)
	}
	return true
}

// drain reads and discards what fd holds; false at end of file (the peer
// closed the socket).
func (l *loop) drain(fd int) bool {
	for {
		n, err := unix.Read(fd, l.buf[:cap(l.buf)])
		if n == 0 && err == nil {
			return false
		}
		if err != nil {
			return errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR)
		}
	}
}

// tick is a polling interval: a sample, and the PSI total compared with
// the threshold's share of the time since the previous tick.
func (l *loop) tick(now time.Time) {
	prev, elapsed := l.lastTotal, now.Sub(l.psiAt)
	l.psiAt = now
	l.sample(now, l.tickSource())
	if l.psiPoll < 0 {
		return
	}
	p := l.usage.Pressure.Memory
	if p == nil {
		return
	}
	total := p.Some.TotalUsec
	l.lastTotal = total
	delta := total - min(total, prev)
	if stalledEnough(delta, elapsed, l.cfg.stall, l.cfg.window) {
		st := &l.setups[l.psiPoll]
		l.emit(Event{Kind: KindPressure, Source: SourcePSIPoll, Cgroup: st.Cgroup, File: st.File, How: st.How,
			StallUsec: delta, Time: now})
	}
}

// sample re-reads the usage and emits the counters that grew and a
// low-headroom crossing (the first sample that finds the headroom low, and
// then again only after a sample found it at or above the threshold); cause is the source whose signal led to it.
func (l *loop) sample(now time.Time, cause Source) {
	if l.poller == nil {
		return
	}
	if err := l.poller.Poll(&l.usage); err != nil {
		// The cgroup went away or the process moved: locate anew.
		l.poller.Close()
		l.poller = nil
		p, _, u, err := limits.NewUsagePoller()
		if err != nil {
			return
		}
		l.poller, l.usage = p, u
	}
	m := &l.usage.Memory
	if cause == 0 {
		cause = l.tickSource()
	}
	l.compare(now, cause, l.own, &l.counts, m.Events)
	if le := m.LimitEvents; le != nil && le.Source == l.limitPath {
		l.compare(now, cause, le.Source, &l.lcounts, le.MemoryEvents)
	}
	wasLow := l.low
	l.low = l.isLow()
	if l.low && !wasLow {
		h := m.Headroom
		l.emit(Event{Kind: KindLowHeadroom, Source: cause, Cgroup: h.Source, File: "memory limit",
			HeadroomBytes: h.Bytes, ThresholdBytes: l.threshold, Time: now})
	}
}

// tickSource is the polling source a tick's counters are reported as.
func (l *loop) tickSource() Source {
	switch {
	case l.counterPoll >= 0:
		return SourceCounterPoll
	case l.psiPoll >= 0:
		return SourcePSIPoll
	}
	return SourceHeadroomPoll
}

// compare emits an event for each counter of cur that grew since *prev,
// and keeps cur in *prev.
func (l *loop) compare(now time.Time, cause Source, cgroupPath string, prev *limits.MemoryEvents, cur limits.MemoryEvents) {
	pairs := [4]struct {
		kind      Kind
		old, next limits.Count
	}{{KindHigh, prev.High, cur.High}, {KindMax, prev.Max, cur.Max}, {KindOOM, prev.OOM, cur.OOM}, {KindOOMKill, prev.OOMKill, cur.OOMKill}}
	for _, p := range pairs {
		if !p.next.Known || p.next.Value <= p.old.Value && p.old.Known {
			continue
		}
		if !p.old.Known && p.next.Value == 0 {
			continue
		}
		file := cgv2.MemoryEvents
		if l.v1 {
			file = cgv1.MemoryFailcnt
			if p.kind == KindOOMKill {
				file = cgv1.MemoryOOMControl
			}
		}
		l.emit(Event{Kind: p.kind, Source: cause, Cgroup: cgroupPath, File: file,
			Count: p.next.Value, Delta: p.next.Value - min(p.next.Value, p.old.Value), Time: now})
	}
	*prev = cur
}

// isLow reports whether the headroom is known and below the threshold.
func (l *loop) isLow() bool {
	h := l.usage.Memory.Headroom
	return l.threshold > 0 && h.Known && h.Bytes < l.threshold
}

// emit completes an event (the headroom, the setup), runs the handler and
// then the reaction, and offers it to the channel without blocking.
func (l *loop) emit(e Event) {
	if h := l.usage.Memory.Headroom; h.Known && e.Kind != KindLowHeadroom {
		e.HeadroomBytes = h.Bytes
	}
	if e.How == "" {
		for _, s := range l.setups {
			if s.Source == e.Source && s.Active {
				e.How = s.How
				break
			}
		}
	}
	if l.cfg.handler != nil {
		l.cfg.handler(e)
	}
	// After the handler, which may have dropped what the heap held.
	if l.cfg.freeEvery > 0 && e.Kind != KindOOM && e.Kind != KindOOMKill && (l.lastFree.IsZero() || e.Time.Sub(l.lastFree) >= l.cfg.freeEvery) {
		l.lastFree = e.Time
		debug.FreeOSMemory()
	}
	e.Dropped = l.dropped
	select {
	case l.w.events <- e:
		l.dropped = 0
	default:
		l.dropped++
	}
}

// close closes every file the watcher opened.
func (l *loop) close() {
	for _, w := range l.watches {
		if w.fd >= 0 {
			unix.Close(w.fd)
		}
	}
	l.watches = nil
	if l.wake >= 0 {
		unix.Close(l.wake)
		l.wake = -1
	}
	if l.poller != nil {
		l.poller.Close()
		l.poller = nil
	}
}

// locate finds the process's memory cgroup and its cgroup2 cgroup from
// /proc/self/mountinfo and /proc/self/cgroup; either is nil when absent.
func locate() (mounts []cgroup.Mount, mem, uni *cgroup.Location) {
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, nil, nil
	}
	pc, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, nil, nil
	}
	mounts, err = cgroup.AppendMountInfo(nil, mi)
	if err != nil {
		return nil, nil, nil
	}
	members, err := cgroup.AppendProcCgroup(nil, pc)
	if err != nil {
		return mounts, nil, nil
	}
	if loc, err := cgroup.Locate(mounts, members, "memory"); err == nil {
		mem = &loc
	}
	if loc, err := cgroup.Locate(mounts, members, ""); err == nil && loc.Version == cgroup.V2 {
		uni = &loc
	}
	return mounts, mem, uni
}

// hasCapSysResource reports whether the process has CAP_SYS_RESOURCE in
// its effective set (/proc/self/status CapEff), which lets a PSI trigger
// have any window; false when it cannot be read.
func hasCapSysResource() bool {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return false
	}
	ok, err := hasCapability(b, capSysResource)
	return err == nil && ok
}
