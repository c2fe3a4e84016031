package pressure_test

import (
	"context"
	"fmt"
	"time"

	"github.com/truelimit/truelimit/limits/pressure"
)

// Watch the process's cgroups and shed load on pressure; the Go heap is
// returned to the kernel at most every 10 s.
func ExampleWatch() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	w, err := pressure.Watch(ctx, pressure.WithFreeOSMemory(10*time.Second))
	if err != nil {
		fmt.Println("no memory pressure events here:", err)
		return
	}
	for _, s := range w.Sources() {
		if s.Active {
			fmt.Println("watching", s.Source, s.File, "-", s.How)
		}
	}
	for e := range w.Events() {
		switch e.Kind {
		case pressure.KindPressure, pressure.KindHigh, pressure.KindLowHeadroom:
			fmt.Println("drop caches:", e.Kind, "from", e.Source, "at", e.Cgroup)
		case pressure.KindOOMKill:
			fmt.Println("a process of", e.Cgroup, "was OOM-killed")
		}
	}
}
