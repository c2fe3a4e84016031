// Command startuptime measures the whole-process wall time of programs
// against a baseline, in pairs: each round runs the baseline and one
// program back to back, in a random order, so that the machine's load
// drifts equally over both; it prints the median of each program's times
// and the median of the per-pair ratios.
//
//	go run ./scripts/startuptime -n 30 bin/hello bin/hello-truelimit bin/hello-automaxprocs
//
// scripts/startup.sh builds the hello-world variants and runs it.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"time"
)

func main() {
	n := flag.Int("n", 30, "pairs per program")
	warm := flag.Int("warm", 3, "unmeasured runs of each program first")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: startuptime [-n pairs] [-warm runs] baseline program...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() < 2 || *n < 1 {
		flag.Usage()
		os.Exit(2)
	}
	base, programs := flag.Arg(0), flag.Args()[1:]
	for _, p := range flag.Args() {
		for range *warm {
			if _, err := run(p); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
	}
	fmt.Printf("%-28s %12s %12s %8s\n", "program", "median", "baseline", "ratio")
	for _, p := range programs {
		times, baseTimes, ratios := make([]float64, *n), make([]float64, *n), make([]float64, *n)
		for i := range *n {
			first, second := base, p
			if rand.IntN(2) == 1 {
				first, second = p, base
			}
			a, err := run(first)
			if err == nil {
				var b time.Duration
				b, err = run(second)
				if first != base {
					a, b = b, a
				}
				baseTimes[i], times[i] = a.Seconds(), b.Seconds()
				ratios[i] = times[i] / baseTimes[i]
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
		fmt.Printf("%-28s %10.3fms %10.3fms %7.2fx\n", p, 1000*median(times), 1000*median(baseTimes), median(ratios))
	}
}

// run runs one program to its end, its output discarded, and returns the
// wall time from the start of exec to the end of wait.
func run(path string) (time.Duration, error) {
	cmd := exec.Command(path)
	start := time.Now()
	err := cmd.Run()
	return time.Since(start), err
}

// median sorts v and returns its median.
func median(v []float64) float64 {
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}
