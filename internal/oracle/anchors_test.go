package oracle

import (
	"testing"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"go.uber.org/automaxprocs/maxprocs"

	"github.com/truelimit/truelimit/limits"
)

// BenchmarkAnchors measures, in one run on the live host, what truelimit's
// Detect costs (memory, high, swap, CPU quota, cpuset, weight, host totals,
// the full walk and the diagnostics) next to what the anchor libraries cost
// for less: automemlimit's FromCgroup (memory only) and automaxprocs' Set
// (CPU quota only, with its undo). Compare with benchstat:
//
//	go test -run '^$' -bench Anchors -benchmem -count 10 . | tee anchors.txt
//	benchstat -col /lib anchors.txt
func BenchmarkAnchors(b *testing.B) {
	if _, err := limits.Detect(); err != nil {
		b.Skip("no live cgroups here:", err)
	}
	quiet := maxprocs.Logger(func(string, ...any) {})
	b.Run("lib=truelimit-Detect", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := limits.Detect(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("lib=automemlimit-FromCgroup", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = memlimit.FromCgroup() // on a host without a limit it reports ErrNoLimit: still the work
		}
	})
	b.Run("lib=automaxprocs-Set", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			undo, err := maxprocs.Set(quiet)
			if err != nil {
				b.Fatal(err)
			}
			undo()
		}
	})
	b.Run("lib=automemlimit+automaxprocs", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = memlimit.FromCgroup()
			undo, err := maxprocs.Set(quiet)
			if err != nil {
				b.Fatal(err)
			}
			undo()
		}
	})
}
