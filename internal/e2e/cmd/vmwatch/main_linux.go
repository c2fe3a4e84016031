// Command vmwatch measures limits/pressure in the VM tests and writes what
// it saw as one JSON object to -out:
//
//	vmwatch -out F -idle 60s      watch with every source for 60 s of idle:
//	                              the watcher's wake-ups, CPU time,
//	                              goroutines and open files before, during
//	                              and after
//	vmwatch -out F -runs 10       ten times: watch, then go over the cgroup's
//	                              memory.high (hold -hold MiB and churn 256 KiB
//	                              maps) until each source reported, and keep
//	                              each source's latency from the first charge
//
// With -uid N it drops to that uid first (and so every capability). The
// latency runs watch twice at once: every source (systemd's path or a
// trigger, and inotify, on v2) and the PSI poll alone, so that one stall
// times three sources.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/truelimit/truelimit/limits/pressure"
)

// result is what vmwatch writes.
type result struct {
	UID     int                `json:"uid"`
	Sources []pressure.Setup   `json:"sources"`
	Polled  []pressure.Setup   `json:"polled_sources"`
	Error   string             `json:"error"`
	Idle    *idle              `json:"idle"`
	Latency map[string][]int64 `json:"latency_ms"` // per source
	Missed  map[string]int     `json:"missed"`     // runs a source gave no event
	Kinds   map[string]int     `json:"kinds"`      // events seen, by kind
	// Cgroups are the cgroups of each source's pressure and high events.
	Cgroups map[string][]string `json:"cgroups"`
}

type idle struct {
	Seconds          float64 `json:"seconds"`
	Wakeups          uint64  `json:"wakeups"`
	CPUTicks         int64   `json:"cpu_ticks"` // utime+stime of the process over the idle, in clock ticks
	Goroutines       [3]int  `json:"goroutines"`
	FDs              [3]int  `json:"fds"`
	EventsDuringIdle int     `json:"events"`
}

func main() {
	out := flag.String("out", "", "write the result to `FILE`")
	idleFor := flag.Duration("idle", 0, "watch for `DURATION` of idle")
	runs := flag.Int("runs", 0, "latency runs")
	hold := flag.Int("hold", 48, "MiB to hold over memory.high in a latency run")
	uid := flag.Int("uid", -1, "drop to `UID` first")
	window := flag.Duration("window", time.Second, "the PSI trigger's window")
	flag.Parse()
	r := result{UID: -1, Latency: map[string][]int64{}, Missed: map[string]int{}, Kinds: map[string]int{}, Cgroups: map[string][]string{}}
	if *uid >= 0 {
		// syscall.Setuid changes every thread (Go 1.16+); from root to
		// another uid the effective capabilities are cleared.
		if err := syscall.Setuid(*uid); err != nil {
			r.Error = "setuid: " + err.Error()
		}
	}
	r.UID = os.Getuid()
	if r.Error == "" {
		if *idleFor > 0 {
			r.Idle, r.Sources, r.Error = measureIdle(*idleFor)
		} else {
			r.measureLatency(*runs, *hold, *window)
		}
	}
	b, _ := json.Marshal(r)
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "vmwatch:", err)
		os.Exit(1)
	}
}

func measureIdle(d time.Duration) (*idle, []pressure.Setup, string) {
	var st idle
	// The first open of a regular file sets up the runtime's poller (an
	// epoll and an eventfd): done before the count, so that it is not
	// counted as the watcher's.
	cpuTicks()
	st.Goroutines[0], st.FDs[0] = runtime.NumGoroutine(), countFDs()
	ctx, cancel := context.WithCancel(context.Background())
	w, err := pressure.Watch(ctx)
	if err != nil {
		cancel()
		return nil, nil, err.Error()
	}
	var events atomic.Int64
	go func() {
		for range w.Events() {
			events.Add(1)
		}
	}()
	st.Goroutines[1], st.FDs[1] = runtime.NumGoroutine(), countFDs()
	start, cpu0 := time.Now(), cpuTicks()
	time.Sleep(d)
	st.CPUTicks = cpuTicks() - cpu0
	st.Seconds = time.Since(start).Seconds()
	st.Wakeups = w.Wakeups()
	cancel()
	<-w.Done()
	time.Sleep(100 * time.Millisecond) // the draining goroutine ends
	st.Goroutines[2], st.FDs[2] = runtime.NumGoroutine(), countFDs()
	st.EventsDuringIdle = int(events.Load())
	return &st, w.Sources(), ""
}

// measureLatency runs the stall runs times.
func (r *result) measureLatency(runs, hold int, window time.Duration) {
	for i := range runs {
		if err := r.run(i == 0, hold, window); err != nil {
			r.Error = err.Error()
			return
		}
		time.Sleep(2 * time.Second) // the averages calm down
	}
}

// run is one latency run: two watchers, the load, and the first event of
// each source, timed from the start of the load.
func (r *result) run(first bool, hold int, window time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	all, err := pressure.Watch(ctx, pressure.WithThreshold(150*time.Millisecond, window), pressure.WithBuffer(256))
	if err != nil {
		return err
	}
	polled, err := pressure.Watch(ctx, pressure.WithSources(pressure.SourcePSIPoll), pressure.WithThreshold(150*time.Millisecond, window),
		pressure.WithInterval(250*time.Millisecond), pressure.WithBuffer(256))
	if err != nil {
		return err
	}
	if first {
		r.Sources, r.Polled = all.Sources(), polled.Sources()
	}
	want := map[string]bool{}
	for _, s := range append(all.Sources(), polled.Sources()...) {
		if s.Active && s.Source&(pressure.SourceSystemd|pressure.SourceTrigger|pressure.SourceInotify|pressure.SourcePSIPoll) != 0 {
			want[s.Source.String()] = true
		}
	}
	load, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	start := time.Now()
	loadDone := make(chan struct{})
	go func() { churn(load, hold); close(loadDone) }()
	seen := map[string]bool{}
	allEvents, polledEvents := all.Events(), polled.Events()
events:
	for len(seen) < len(want) {
		var e pressure.Event
		var ok bool
		select {
		case e, ok = <-allEvents:
		case e, ok = <-polledEvents:
		}
		if !ok { // the 15 s are over
			break events
		}
		r.Kinds[e.Kind.String()]++
		src := e.Source.String()
		if (e.Kind == pressure.KindPressure || e.Kind == pressure.KindHigh) && !slices.Contains(r.Cgroups[src], e.Cgroup) {
			r.Cgroups[src] = append(r.Cgroups[src], e.Cgroup)
		}
		if want[src] && !seen[src] && (e.Kind == pressure.KindPressure || e.Kind == pressure.KindHigh) {
			seen[src] = true
			r.Latency[src] = append(r.Latency[src], e.Time.Sub(start).Milliseconds())
		}
	}
	for src := range want {
		if !seen[src] {
			r.Missed[src]++
		}
	}
	stopLoad()
	<-loadDone
	cancel()
	<-all.Done()
	<-polled.Done()
	return nil
}

// churn maps hold MiB and touches it page by page, then maps, touches and
// unmaps 256 KiB over and over, until ctx is done (checked at every MiB:
// above memory.high each charge may be throttled for a long while), and
// unmaps what it held.
func churn(ctx context.Context, hold int) {
	held, err := unix.Mmap(-1, 0, hold<<20, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return
	}
	defer unix.Munmap(held)
	page := os.Getpagesize()
	for i := 0; i < len(held) && ctx.Err() == nil; i += 1 << 20 {
		for j := i; j < i+1<<20; j += page {
			held[j] = 1
		}
	}
	for ctx.Err() == nil {
		b, err := unix.Mmap(-1, 0, 256<<10, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
		if err != nil {
			return
		}
		for j := 0; j < len(b); j += page {
			b[j] = 1
		}
		_ = unix.Munmap(b)
	}
}

func countFDs() int {
	fds, _ := os.ReadDir("/proc/self/fd")
	return len(fds)
}

// cpuTicks is utime + stime of the process (/proc/self/stat fields 14 and
// 15, in clock ticks).
func cpuTicks() int64 {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return -1
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return -1
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return u + k
}
