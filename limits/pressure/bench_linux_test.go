package pressure

import (
	"testing"
	"time"
)

// BenchmarkPollTick is one interval of the polling fallback: the usage
// sample (every file with one pread), the counters compared, the PSI total
// compared with the threshold. It allocates nothing.
func BenchmarkPollTick(b *testing.B) {
	l := &loop{cfg: newConfig([]Option{WithSources(SourcePSIPoll | SourceCounterPoll | SourceHeadroomPoll),
		WithThreshold(10*time.Second, 10*time.Second)}), buf: make([]byte, 0, 512)}
	if err := l.setUp(); err != nil {
		b.Skip(err)
	}
	defer l.close()
	if l.psiPoll < 0 && l.counterPoll < 0 && l.headroomPoll < 0 {
		b.Skipf("no polling source here: %+v", l.setups)
	}
	l.w = &Watcher{events: make(chan Event, 1)}
	now := time.Now()
	l.psiAt = now
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Second)
		l.tick(now)
	}
}
