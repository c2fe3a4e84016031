package limits

import (
	"bytes"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/truelimit/truelimit/internal/readfile"
	"github.com/truelimit/truelimit/limits/internal/own"
)

// ctl is the process's one refresh loop and the setters' state.
var ctl controller

// controller holds what SetGoMemLimit and SetGoMaxProcs decided and runs the
// refresh loop that keeps it up to date. Its fields are guarded by mu.
type controller struct {
	mu  sync.Mutex
	mem *memPart
	cpu *cpuPart
	// watch is what the loop re-reads: the latest setter call's root and
	// interval, and the cgroups located, kept current when the loop
	// locates them again (a file vanished, or the process moved).
	watch watch
	loop  *refreshLoop
}

// watch is what a refresh re-reads and how often.
type watch struct {
	root       string
	beneath    readfile.Beneath
	every      time.Duration
	hostMemory bool // GOMEMLIMIT is set: read the host's MemTotal, its cap (or fallback)
	// readShared reads the shared-limit policy's usages on every refresh.
	readShared bool
	located    // the cgroups, and the R/proc/self/cgroup they come from
	host       Host
}

// detectToWatch runs a setter's detection; with refreshing on, the interface
// files it reads stay open for the loop. readShared reads the shared-limit
// policy's usages at the detection and on every refresh; usagesAtStart at
// the detection only (for GOMEMLIMIT's Reason without the policy).
func detectToWatch(cfg setterConfig, hostMemory, readShared, usagesAtStart bool) (watch, Result, *openFiles, error) {
	var open *openFiles
	if cfg.refresh > 0 {
		open = newOpenFiles()
	}
	res, loc, err := detectForSetters(cfg.root, cfg.beneath, hostMemory, readShared || usagesAtStart, open)
	if err != nil && open != nil {
		open.close()
		open = nil
	}
	w := watch{root: cfg.root, beneath: cfg.beneath, every: cfg.refresh, hostMemory: hostMemory, readShared: readShared, located: loc, host: res.Host}
	return w, res, open, err
}

// restart replaces the refresh loop: it stops the running one and starts a
// new one over w when refreshing is on and a setter still has a part. The
// caller holds mu.
func (c *controller) restart(w watch, open *openFiles) {
	if c.loop != nil {
		c.loop.stop()
		c.loop = nil
	}
	c.watch = w
	if w.every <= 0 || (c.mem == nil && c.cpu == nil) {
		if open != nil {
			open.close()
		}
		return
	}
	if open == nil {
		open = newOpenFiles()
	}
	l := &refreshLoop{w: newWatcher(w, open)}
	l.timer = time.AfterFunc(w.every, l.tick)
	c.loop = l
}

// apply brings GOMEMLIMIT and GOMAXPROCS in line with a fresh Result;
// relocated says the cgroups were located again for it. The caller holds mu.
func (c *controller) apply(res Result, shared sharedUsage, relocated bool) {
	if m := c.mem; m != nil {
		d := m.decide(res, shared)
		target := d.value
		if target == 0 {
			target = m.previous
		}
		if current := debug.SetMemoryLimit(-1); target != current {
			debug.SetMemoryLimit(target)
			c.log(m.cfg.log, "GOMEMLIMIT", current, target, d, relocated)
		}
	}
	if p := c.cpu; p != nil && !p.once {
		d := p.decide(res)
		current := int64(runtime.GOMAXPROCS(0))
		switch {
		case d.value > 0 && d.value != current:
			runtime.GOMAXPROCS(int(d.value))
			p.owned = true
			c.log(p.cfg.log, "GOMAXPROCS", current, d.value, d, relocated)
		case d.value == 0 && p.owned:
			runtime.SetDefaultGOMAXPROCS()
			p.owned = false
			c.log(p.cfg.log, "GOMAXPROCS", current, int64(runtime.GOMAXPROCS(0)), d, relocated)
		}
	}
}

// log logs a change the loop made with log (WithLogger's), if set.
func (c *controller) log(log func(Setting, int), name string, from, to int64, d decision, moved bool) {
	if log == nil {
		return
	}
	s := Setting{Name: name, Changed: true, Value: to, Previous: from, Source: d.source, Policy: d.policy, Reason: d.policy}
	if d.value == 0 {
		s.Reason = d.why
	}
	if moved {
		log(s, relocated)
	} else {
		log(s, resized)
	}
}

// refreshLoop re-reads the limits every interval until it is stopped: a
// timer runs tick, and tick arms it again. The controller stops it with mu
// held, and tick checks under mu, so a stopped loop never applies anything.
// The kept-open files are closed by whichever of stop and tick sees the
// loop end: stop when the timer had not fired, tick otherwise.
type refreshLoop struct {
	timer   *time.Timer
	w       *watcher
	stopped bool // guarded by ctl.mu
}

// stop ends the loop. The caller holds ctl.mu.
func (l *refreshLoop) stop() {
	l.stopped = true
	if l.timer.Stop() {
		l.w.open.close()
	}
}

// afterTick, when set (by tests, under ctl.mu), is called at the end of
// every tick that applied its limits, with ctl.mu held, before the next tick
// is armed: tests count ticks with it instead of timing them.
var afterTick func(relocated bool)

// tick is one refresh: re-read the limits, hand a re-location to the
// controller, apply the limits and arm the timer.
func (l *refreshLoop) tick() {
	res, relocated := l.w.refresh()
	ctl.mu.Lock()
	defer ctl.mu.Unlock()
	if l.stopped {
		l.w.open.close()
		return
	}
	if relocated {
		ctl.watch.located, ctl.watch.host = l.w.watch.located, l.w.watch.host
	}
	ctl.apply(res, l.w.watch.usages, relocated)
	if afterTick != nil {
		afterTick(relocated)
	}
	l.timer.Reset(l.w.watch.every)
}

// watcher re-reads the limit files of already-located cgroups: every file on
// the walk, not only the binding one, since a resize can set a limit where
// there was none. It locates the cgroups again only when R/proc/self/cgroup
// says the process has moved or a file is gone. It works on its own copy of
// the watch, outside the controller's lock, and the loop hands a
// re-location back to the controller.
type watcher struct {
	watch watch
	open  *openFiles
	r     reader // reused by every reread
}

func newWatcher(w watch, open *openFiles) *watcher {
	return &watcher{watch: w, open: open, r: reader{
		buf: make([]byte, 0, 512), path: make([]byte, 0, 512), own: *own.NewReader(512)}}
}

// refresh re-reads the limits; relocated says the cgroups were located
// again and w.watch holds the new ones. R/proc/self/cgroup is read first:
// when it no longer says what the cgroups were located from, the process
// has moved and the old cgroups' files, which read on until those cgroups
// are removed, are not read at all. A kept-open file that stops reading
// also makes the cgroups be located again. If that fails, the cgroups
// known are read as they are, and the next tick tries again.
func (w *watcher) refresh() (res Result, relocated bool) {
	w.open.rewind()
	w.r.reset(w.watch.root, w.watch.beneath, w.open)
	moved := w.moved()
	if !moved {
		res = w.reread()
		if !w.open.vanished {
			return res, false
		}
	}
	w.open.close()
	w.open.vanished = false
	full, loc, err := detectForSetters(w.watch.root, w.watch.beneath, w.watch.hostMemory, w.watch.readShared, w.open)
	if err != nil {
		if moved {
			res = w.reread()
		}
		return res, false
	}
	w.watch.located, w.watch.host = loc, full.Host
	return full, true
}

// moved re-reads R/proc/self/cgroup through its kept-open handle and says
// whether it differs from what the cgroups were located from (or could not
// be read).
func (w *watcher) moved() bool {
	data, err := w.r.readSelfCgroup()
	return err != nil || !bytes.Equal(data, w.watch.selfCgroup)
}

// reread walks the known placements through the kept-open files, reading
// only what the setters follow. The CPU affinity, which caps GOMAXPROCS, is
// read again only when a CPU quota is set: without one nothing uses it.
func (w *watcher) reread() Result {
	r := &w.r
	r.reset(w.watch.root, w.watch.beneath, w.open)
	r.res.Host, r.placed = w.watch.host, w.watch.placed
	r.walkMemory(false)
	if w.watch.readShared {
		w.watch.usages = r.readSharedUsage()
	}
	r.walkCPU()
	if w.watch.root == "/" && r.res.CPU.Limit.State == Limited {
		r.res.Host.AffinityCPUs = affinityCPUs(0)
	}
	r.dir.Close() // a root directory opened for a file not yet kept open
	res := r.res
	r.res = Result{}
	return res
}
