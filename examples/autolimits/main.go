// Command autolimits is a small HTTP service that gets GOMEMLIMIT and
// GOMAXPROCS from its cgroups with one blank import, and shows on / what they
// are and which cgroup set them.
//
//	go run ./examples/autolimits -addr 127.0.0.1:8080
//	curl http://127.0.0.1:8080/
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"

	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/auto"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen on `ADDR`")
	flag.Parse()
	http.HandleFunc("/", status)
	slog.Info("autolimits listening", "addr", *addr)
	if err := http.ListenAndServe(*addr, nil); err != nil {
		slog.Error("autolimits", "error", err)
		os.Exit(1)
	}
}

// status writes the values in force and where they come from.
func status(w http.ResponseWriter, _ *http.Request) {
	mem, procs := auto.Settings()
	fmt.Fprintf(w, "GOMEMLIMIT %d\n  set at start: %s\n  source: %s\n", debug.SetMemoryLimit(-1), mem.Reason, orNone(mem.Source))
	fmt.Fprintf(w, "GOMAXPROCS %d\n  set at start: %s\n  source: %s\n", runtime.GOMAXPROCS(0), procs.Reason, orNone(procs.Source))
	res, err := limits.Detect()
	if err != nil {
		fmt.Fprintf(w, "limits now: %v\n", err)
		return
	}
	fmt.Fprintf(w, "limits now: memory %s, cpu %s\n", res.Memory.Limit.State, res.CPU.Limit.State)
	for _, d := range res.Diagnostics {
		fmt.Fprintf(w, "  ! %s: %s\n", d.Code, d.Message)
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
