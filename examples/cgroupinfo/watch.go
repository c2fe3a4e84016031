package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/pressure"
	"github.com/truelimit/truelimit/limits/report"
)

// watch prints the report of this process (or of the tree under root)
// every interval: the limits located once, the usage sampled each time by
// a limits.UsagePoller, which keeps the usage files open. It stops after
// frames reports, or, with frames 0, when interrupted. With asJSON each
// report is one JSON object on one line; otherwise each is preceded by a
// line with the time and written by text.
func watch(out io.Writer, root string, interval time.Duration, frames int, asJSON bool, text textReport) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	poller, res, usage, err := limits.NewUsagePoller(limits.WithRoot(root))
	if err != nil {
		return err
	}
	defer poller.Close()
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for frame := 1; ; frame++ {
		if err := printFrame(out, res, &usage, asJSON, text); err != nil {
			return err
		}
		if frame == frames {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
		if err := poller.Poll(&usage); err != nil {
			return err
		}
	}
}

// printFrame prints one report of watch.
func printFrame(out io.Writer, res limits.Result, usage *limits.Usage, asJSON bool, text textReport) error {
	if !asJSON {
		if _, err := fmt.Fprintf(out, "--- %s\n", time.Now().Format(time.RFC3339)); err != nil {
			return err
		}
		return text(out, res, usage)
	}
	data, err := report.JSON(res, usage)
	if err != nil {
		return err
	}
	var line bytes.Buffer
	if err := json.Compact(&line, data); err != nil {
		return err
	}
	line.WriteByte('\n')
	_, err = out.Write(line.Bytes())
	return err
}

// watchEvents prints the sources limits/pressure set up for this process,
// then each event as it arrives, until interrupted or after n events (n >
// 0). With asJSON each source and each event is one JSON object on a line.
func watchEvents(out io.Writer, n int, asJSON bool) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	w, err := pressure.Watch(ctx)
	if err != nil {
		return err
	}
	defer func() { stop(); <-w.Done() }()
	enc := json.NewEncoder(out)
	for _, s := range w.Sources() {
		if asJSON {
			err = enc.Encode(map[string]any{"source": s.Source.String(), "active": s.Active, "cgroup": s.Cgroup, "file": s.File, "how": s.How})
		} else {
			state := "not used"
			if s.Active {
				state = "watching"
			}
			_, err = fmt.Fprintf(out, "%s %s %s: %s\n", state, s.Source, s.File, s.How)
		}
		if err != nil {
			return err
		}
	}
	for i := 0; n <= 0 || i < n; i++ {
		e, ok := <-w.Events()
		if !ok {
			return nil
		}
		if asJSON {
			err = enc.Encode(map[string]any{"time": e.Time.Format(time.RFC3339Nano), "kind": e.Kind.String(),
				"source": e.Source.String(), "cgroup": e.Cgroup, "file": e.File, "stall_us": e.StallUsec,
				"count": e.Count, "delta": e.Delta, "headroom_bytes": e.HeadroomBytes, "threshold_bytes": e.ThresholdBytes})
		} else {
			_, err = fmt.Fprintf(out, "%s %s from %s at %s (%s): stall %d us, count %d (+%d), headroom %d bytes\n",
				e.Time.Format(time.RFC3339), e.Kind, e.Source, e.Cgroup, e.File, e.StallUsec, e.Count, e.Delta, e.HeadroomBytes)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
