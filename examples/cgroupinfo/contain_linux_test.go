package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/truelimit/truelimit/internal/escapetest"
)

// TestCLIStaysInTheRoot runs cgroupinfo -root, -json and -tree on every
// escape of issue 11: each finishes and never prints the value outside the
// root.
func TestCLIStaysInTheRoot(t *testing.T) {
	for _, c := range escapetest.Cases(t, "../../testdata/v2-k8s-systemd-pod-limit-leaf-max") {
		for _, args := range [][]string{{"-root", c.Root}, {"-json", "-root", c.Root}, {"-tree", "-root", c.Root}, {"-tree", "-json", "-root", c.Root}} {
			done := make(chan string)
			go func() {
				var out bytes.Buffer
				_ = run(args, &out)
				done <- out.String()
			}()
			select {
			case out := <-done:
				if strings.Contains(out, escapetest.Outside) {
					t.Errorf("%s %v prints the value outside the root:\n%s", c.Name, args[:len(args)-2], out)
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("%s %v hangs", c.Name, args)
			}
		}
	}
}
