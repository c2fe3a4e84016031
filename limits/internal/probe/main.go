// Command probe is the program the real-kernel tests of GOMEMLIMIT and
// GOMAXPROCS run inside test cgroups. Built with -tags truelimit_auto it
// blank-imports limits/auto; without, it is a plain Go program.
//
//	probe -hog                      keep ~320 MiB live while allocating 1000 MiB of garbage
//	probe -round-down               call limits.SetGoMaxProcs(limits.WithRoundDown())
//	probe -watch 3s -refresh 100ms  set both with refreshing, print them every 20 ms,
//	                                then undo and print again
//	probe -build-godebug DIR        call limits.SetGoMaxProcs(limits.WithBuildGODEBUG(),
//	                                limits.WithRoot(DIR)) and print its reason
//	probe -auto-reason              print the reason of the GOMAXPROCS limits/auto set
//	                                (built with -tags truelimit_auto)
//
// Built with -tags godebug_containermaxprocs or godebug_updatemaxprocs it
// carries a //go:debug directive setting that GODEBUG to 0.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/truelimit/truelimit/limits"
)

// autoProcsReason, set where limits/auto is imported, returns the Reason of
// the GOMAXPROCS it decided at init.
var autoProcsReason func() string

func main() {
	hog := flag.Bool("hog", false, "keep ~320 MiB live while allocating 1000 MiB of garbage")
	roundDown := flag.Bool("round-down", false, "set GOMAXPROCS with the round-down policy")
	watch := flag.Duration("watch", 0, "set both values with refreshing and print them for this long")
	refresh := flag.Duration("refresh", 100*time.Millisecond, "refresh interval for -watch")
	buildGODEBUG := flag.String("build-godebug", "", "set GOMAXPROCS obeying the binary's GODEBUG defaults, under this root")
	autoReason := flag.Bool("auto-reason", false, "print the reason of the GOMAXPROCS limits/auto set")
	flag.Parse()

	if *autoReason {
		if autoProcsReason == nil {
			check(fmt.Errorf("built without limits/auto (-tags truelimit_auto)"))
		}
		fmt.Println("reason:", autoProcsReason())
		return
	}

	if *buildGODEBUG != "" {
		s, _, err := limits.SetGoMaxProcs(limits.WithBuildGODEBUG(), limits.WithRoot(*buildGODEBUG))
		check(err)
		fmt.Println("reason:", s.Reason)
		return
	}

	if *roundDown {
		s, _, err := limits.SetGoMaxProcs(limits.WithRoundDown())
		check(err)
		fmt.Println("set:", s.Reason)
	}
	report("start")
	if *hog {
		allocate()
	}
	if *watch > 0 {
		watchLimits(*watch, *refresh)
	}
	report("done")
}

func report(phase string) {
	fmt.Printf("%s GOMEMLIMIT=%d GOMAXPROCS=%d\n", phase, debug.SetMemoryLimit(-1), runtime.GOMAXPROCS(0))
}

// allocate keeps 320 live buffers of 1 MiB and replaces them 1000 times:
// with GOGC=100 alone the heap goal is twice the live heap, about 640 MiB, and
// the runtime starts no GC cycle below about 1.7 times it (its lowest trigger
// is 45/64 of the way from the marked heap to the goal), 545 MiB.
//
// Each buffer is filled byte by byte, which holds the allocation rate near
// 1 GiB/s. GOMEMLIMIT is a soft limit: while a GC cycle waits for a CPU, the
// program keeps allocating past the heap goal. Touching only one byte per
// page, it allocated up to about 10 GiB/s and, with other processes on the
// CPUs, overshot the goal by up to 60 MiB; filled, by about 10 MiB.
func allocate() {
	const live, size, rounds = 320, 1 << 20, 1000
	bufs := make([][]byte, live)
	for i := range rounds {
		b := make([]byte, size)
		for j := range b {
			b[j] = byte(i + j)
		}
		bufs[i%live] = b
	}
	sum := 0
	for _, b := range bufs {
		sum += int(b[0])
	}
	fmt.Println("checksum", sum)
}

// watchLimits sets both values with refreshing, prints them every 20 ms for
// d, then undoes both and prints once more.
func watchLimits(d, refresh time.Duration) {
	_, undoMem, err := limits.SetGoMemLimit(limits.WithRefresh(refresh))
	check(err)
	_, undoProcs, err := limits.SetGoMaxProcs(limits.WithRoundDown(), limits.WithRefresh(refresh))
	check(err)
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		report("watch")
	}
	undoProcs()
	undoMem()
	report("undone")
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "probe:", err)
		os.Exit(2)
	}
}
