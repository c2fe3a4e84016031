// Command pressurecache is a service with an in-memory cache that drops its
// coldest half when memory gets tight for its cgroup: the pattern to copy
// for a program whose own live data (a cache, a queue, a pool) grows, which
// a GOMEMLIMIT alone does not protect from the OOM killer (the collector
// cannot free what is still referenced).
//
//	go run ./examples/pressurecache -addr 127.0.0.1:8080     # serve /get?key=K and /stats
//	pressurecache -grow 2 -every 100ms -max 200               # fill the cache as a load test does
//	pressurecache -grow 2 -watch=false -gomemlimit            # without the watcher: GOMEMLIMIT alone
//
// It watches with limits/pressure (PSI triggers, memory.events, systemd's
// $MEMORY_PRESSURE_WATCH, ...): on a pressure, high, max or low-headroom
// event it drops the coldest half of the cache, and the watcher then
// returns the freed heap to the kernel (WithFreeOSMemory).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"time"

	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/pressure"
)

const mib = 1 << 20

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "pressurecache:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("pressurecache", flag.ContinueOnError)
	addr := fs.String("addr", "", "serve /get?key=K and /stats on `ADDR` (127.0.0.1:PORT)")
	grow := fs.Int("grow", 0, "add `MIB` MiB to the cache every -every (a load generator)")
	every := fs.Duration("every", 100*time.Millisecond, "how often -grow adds")
	maxMiB := fs.Int("max", 200, "stop growing at `MIB` MiB of cache")
	watch := fs.Bool("watch", true, "watch memory pressure and drop the coldest half of the cache on an event")
	gomemlimit := fs.Bool("gomemlimit", false, "set GOMEMLIMIT from the cgroup's limit (limits.SetGoMemLimit)")
	interval := fs.Duration("interval", time.Second, "how often the watcher's polling fallbacks sample")
	stopAfter := fs.Duration("for", 0, "exit after `DURATION` (0: until interrupted)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *stopAfter > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *stopAfter)
		defer cancel()
	}
	if *gomemlimit {
		s, _, err := limits.SetGoMemLimit()
		if err != nil {
			return err
		}
		fmt.Fprintln(out, "gomemlimit:", s.Reason)
	}
	cache := NewCache()
	if *watch {
		w, err := pressure.Watch(ctx, pressure.WithFreeOSMemory(time.Second), pressure.WithInterval(*interval), pressure.WithHandler(func(e pressure.Event) {
			switch e.Kind {
			case pressure.KindPressure, pressure.KindHigh, pressure.KindMax, pressure.KindLowHeadroom:
				before := cache.Bytes()
				n, _ := cache.DropColdest()
				fmt.Fprintf(out, "event %s from %s at %s: dropped %d entries, cache %d -> %d MiB\n",
					e.Kind, e.Source, e.Cgroup, n, before/mib, cache.Bytes()/mib)
			default:
				fmt.Fprintf(out, "event %s from %s at %s: count %d\n", e.Kind, e.Source, e.Cgroup, e.Count)
			}
		}))
		if err != nil {
			return err
		}
		for _, s := range w.Sources() {
			if s.Active {
				fmt.Fprintf(out, "watching %s %s: %s\n", s.Source, s.File, s.How)
			}
		}
		// The handler does the work; the channel is drained so that it
		// never fills.
		go func() {
			for range w.Events() {
			}
		}()
	}
	if *addr != "" {
		srv := &http.Server{Addr: *addr, Handler: handler(cache), ReadHeaderTimeout: 5 * time.Second}
		go func() {
			<-ctx.Done()
			_ = srv.Close()
		}()
		go func() {
			if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				fmt.Fprintln(os.Stderr, "pressurecache:", err)
			}
		}()
	}
	if *grow > 0 {
		fill(ctx, out, cache, *grow, *every, *maxMiB)
	}
	<-ctx.Done()
	fmt.Fprintf(out, "done: cache %d MiB in %d entries\n", cache.Bytes()/mib, cache.Len())
	return nil
}

// fill adds grow MiB to the cache every interval (1 MiB entries, every
// page written, so that they are resident), until the cache holds maxMiB
// or ctx is done, and prints the cache's size every second.
func fill(ctx context.Context, out io.Writer, cache *Cache, grow int, every time.Duration, maxMiB int) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	last := time.Now()
	for n := 0; ; {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		for i := 0; i < grow && cache.Bytes() < maxMiB*mib; i++ {
			v := make([]byte, mib)
			for j := 0; j < len(v); j += 4096 {
				v[j] = byte(n)
			}
			cache.Put(strconv.Itoa(n), v)
			n++
		}
		if time.Since(last) >= time.Second {
			last = time.Now()
			fmt.Fprintf(out, "cache %d MiB\n", cache.Bytes()/mib)
		}
	}
}

// handler serves /get?key=K (the value's size, or 404) and /stats.
func handler(cache *Cache) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /get", func(w http.ResponseWriter, r *http.Request) {
		v, ok := cache.Get(r.URL.Query().Get("key"))
		if !ok {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintln(w, len(v))
	})
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "entries %d bytes %d\n", cache.Len(), cache.Bytes())
	})
	return mux
}
