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
	"github.com/truelimit/truelimit/limits/report"
)

// watch prints the report of this process (or of the tree under root)
// every interval: the limits located once, the usage sampled each time by
// a limits.UsagePoller, which keeps the usage files open. It stops after
// frames reports, or, with frames 0, when interrupted. With asJSON each
// report is one JSON object on one line; otherwise each is preceded by a
// line with the time and written by text.
func watch(out io.Writer, root string, interval time.Duration, frames int, asJSON bool, text textReport) error {
	if interval <= 0 {
		return fmt.Errorf("-watch needs a positive interval, not %v", interval)
	}
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
