// Command limitexporter serves truelimit's view of every cgroup of a host to
// Prometheus: per cgroup its own and effective limits, its memory usage and
// headroom against the level that binds, and its diagnostics
// (package collector lists the metrics); /healthz for probes; and at /, a
// page listing the cgroups closest to their binding memory limit and every
// diagnostic, readable without Grafana.
//
//	go run . -listen 127.0.0.1:9847                    # this host's cgroups
//	go run . -root DIR                                 # a captured tree, e.g. ../../testdata/<case>
//	go run . -root /host -host-root -process-views=false   # in a pod: the host's /sys/fs/cgroup and /proc under /host
//	go run . -max-age 0                                # scan on every scrape
//
// It is a module of its own (client_golang never enters the truelimit
// module): deploy/ holds a Kubernetes DaemonSet and a systemd unit.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/truelimit/truelimit/examples/limitexporter/collector"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "limitexporter:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends. ready, when set, receives the address the
// server listens on (tests listen on port 0).
func run(ctx context.Context, args []string, logw io.Writer, ready chan<- string) error {
	fs := flag.NewFlagSet("limitexporter", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:9847", "serve on `ADDR` (host:port); in a pod, \":9847\"")
	root := fs.String("root", "/", "read every file under `DIR` instead of /")
	hostRoot := fs.Bool("host-root", false, "-root DIR holds the host's /sys/fs/cgroup and /proc (a DaemonSet): find the hierarchies there by filesystem type, not from this process's mountinfo")
	top := fs.String("top", "", "export only cgroup `PATH` and below it, e.g. /kubepods.slice")
	maxAge := fs.Duration("max-age", 10*time.Second, "reuse a scan younger than `DURATION` for the next scrape; 0 scans on every scrape")
	views := fs.Bool("process-views", true, "read each leaf's first process's mountinfo to tell the limits it cannot see (limit-hidden-from-process)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New("unexpected arguments: " + fmt.Sprint(fs.Args()))
	}
	opts := []collector.Option{collector.WithRoot(*root), collector.WithMaxAge(*maxAge)}
	if *hostRoot {
		opts[0] = collector.WithHostRoot(*root)
	}
	if *top != "" {
		opts = append(opts, collector.WithTop(*top))
	}
	if !*views {
		opts = append(opts, collector.WithoutProcessViews())
	}
	c := collector.New(opts...)
	// The process's own metrics come from a Registry; the cgroups' from
	// the collector, which builds its families directly (Gather says
	// why). Their names differ: the two lists merge by name.
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), collectors.NewGoCollector())
	gatherer := prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		mfs, err := c.Gather()
		own, ownErr := reg.Gather()
		mfs = append(mfs, own...)
		slices.SortFunc(mfs, func(x, y *dto.MetricFamily) int { return strings.Compare(x.GetName(), y.GetName()) })
		return mfs, errors.Join(err, ownErr)
	})

	log := slog.New(slog.NewTextHandler(logw, nil))
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelError)}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.Handle("GET /{$}", pageHandler(c))

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Info("serving", "addr", ln.Addr().String(), "root", *root)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}
