package limits

import (
	"log/slog"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

// ctl is the process's one refresh loop and the setters' state.
var ctl controller

// controller holds what SetGoMemLimit and SetGoMaxProcs decided and runs the
// refresh loop that keeps it up to date. Its fields are guarded by mu.
type controller struct {
	mu  sync.Mutex
	mem *memPart
	cpu *cpuPart
	// cfg, placements and host are those of the latest setter call: the
	// loop re-reads the same cgroups.
	cfg        config
	placements placements
	host       Host
	loop       *refreshLoop
}

// detect runs a setter's detection; with refreshing on, the interface files
// it reads stay open for the loop.
func (c *controller) detect(cfg config) (Result, placements, *openFiles, error) {
	var open *openFiles
	if cfg.refresh > 0 {
		open = newOpenFiles()
	}
	res, p, err := run(cfg, open)
	if err != nil && open != nil {
		open.close()
		open = nil
	}
	c.host = res.Host
	return res, p, open, err
}

// restart replaces the refresh loop: it stops the running one and starts a
// new one when refreshing is on and a setter still has a part. The caller
// holds mu.
func (c *controller) restart(cfg config, p placements, open *openFiles) {
	if c.loop != nil {
		c.loop.stop()
		c.loop = nil
	}
	c.cfg, c.placements = cfg, p
	if cfg.refresh <= 0 || (c.mem == nil && c.cpu == nil) {
		if open != nil {
			open.close()
		}
		return
	}
	if open == nil {
		open = newOpenFiles()
	}
	l := &refreshLoop{every: cfg.refresh, w: &watcher{cfg: cfg, p: p, host: c.host, open: open}}
	l.timer = time.AfterFunc(l.every, l.tick)
	c.loop = l
}

// apply brings GOMEMLIMIT and GOMAXPROCS in line with a fresh Result. The
// caller holds mu.
func (c *controller) apply(res Result) {
	if m := c.mem; m != nil {
		d := m.decide(res)
		target := d.value
		if target == 0 {
			target = m.previous
		}
		if current := debug.SetMemoryLimit(-1); target != current {
			debug.SetMemoryLimit(target)
			c.log(m.cfg.logger, "GOMEMLIMIT", current, target, d)
		}
	}
	if p := c.cpu; p != nil {
		d := p.decide(res)
		current := int64(runtime.GOMAXPROCS(0))
		switch {
		case d.value > 0 && d.value != current:
			runtime.GOMAXPROCS(int(d.value))
			p.owned = true
			c.log(p.cfg.logger, "GOMAXPROCS", current, d.value, d)
		case d.value == 0 && p.owned:
			runtime.SetDefaultGOMAXPROCS()
			p.owned = false
			c.log(p.cfg.logger, "GOMAXPROCS", current, int64(runtime.GOMAXPROCS(0)), d)
		}
	}
}

func (c *controller) log(l *slog.Logger, name string, from, to int64, d decision) {
	if l == nil {
		return
	}
	msg := d.policy
	if d.value == 0 {
		msg = d.why
	}
	l.Info("truelimit: "+name+" follows a resize: "+msg,
		"setting", name, "value", to, "previous", from, "source", d.source)
}

// refreshLoop re-reads the limits every interval until it is stopped: a
// timer runs tick, and tick arms it again. The controller stops it with mu
// held, and tick checks under mu, so a stopped loop never applies anything.
// The kept-open files are closed by whichever of stop and tick sees the
// loop end: stop when the timer had not fired, tick otherwise.
type refreshLoop struct {
	every   time.Duration
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

// tick is one refresh: re-read the limits, apply them and arm the timer.
func (l *refreshLoop) tick() {
	res := l.w.refresh()
	ctl.mu.Lock()
	defer ctl.mu.Unlock()
	if l.stopped {
		l.w.open.close()
		return
	}
	ctl.apply(res)
	l.timer.Reset(l.every)
}

// watcher re-reads the limit files of already-located cgroups: every file on
// the walk, not only the binding one, since a resize can set a limit where
// there was none. It locates the cgroups again only when a file is gone.
type watcher struct {
	cfg  config
	p    placements
	host Host
	open *openFiles
	r    reader // reused by every reread
}

func (w *watcher) refresh() Result {
	res := w.reread()
	if w.open.vanished {
		w.open.close()
		w.open.vanished = false
		full, p, err := run(w.cfg, w.open)
		if err != nil {
			return res
		}
		w.p, w.host, res = p, full.Host, full
	}
	return res
}

// reread walks the known placements through the kept-open files, reading
// only what the setters follow. The CPU affinity, which caps GOMAXPROCS, is
// read again only when a CPU quota is set: without one nothing uses it.
func (w *watcher) reread() Result {
	r := &w.r
	w.open.rewind()
	r.reset(w.cfg, w.open)
	r.res.Host = w.host
	r.walkLimits(w.p)
	if w.cfg.root == "/" && r.res.CPU.Limit.State == Limited {
		r.res.Host.AffinityCPUs = affinityCPUs(w.cfg.pidID)
	}
	res := r.res
	r.res = Result{}
	return res
}
