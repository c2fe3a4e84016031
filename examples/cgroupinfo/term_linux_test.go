package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair: the terminal side a program writes
// to, and the side that reads what it wrote.
func openPTY(t *testing.T) (term, reader *os.File) {
	t.Helper()
	m, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	reader = os.NewFile(uintptr(m), "/dev/ptmx")
	t.Cleanup(func() { reader.Close() })
	require.NoError(t, unix.IoctlSetPointerInt(m, unix.TIOCSPTLCK, 0))
	n, err := unix.IoctlGetInt(m, unix.TIOCGPTN)
	require.NoError(t, err)
	term, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	require.NoError(t, err)
	return term, reader
}

// endMark follows the report on the terminal, so the reader knows it has
// read all of it.
const endMark = "END-OF-REPORT"

// TestColourOnATerminal writes the report to a real pseudo-terminal: colour
// and symbols, unless NO_COLOR has a value.
func TestColourOnATerminal(t *testing.T) {
	for _, tt := range []struct {
		noColor string
		escapes bool
	}{{"", true}, {"1", false}} {
		term, reader := openPTY(t)
		assert.True(t, isTerminal(term.Fd()))
		read := make(chan []byte, 1)
		go func() {
			var got []byte
			buf := make([]byte, 4096)
			for !bytes.Contains(got, []byte(endMark)) {
				n, err := reader.Read(buf)
				got = append(got, buf[:n]...)
				if err != nil {
					break
				}
			}
			read <- got
		}()
		t.Setenv("NO_COLOR", tt.noColor)
		require.NoError(t, run([]string{"-root", "../../testdata/v2-k8s-systemd-pod-limit-leaf-max"}, term))
		_, err := io.WriteString(term, endMark+"\n")
		require.NoError(t, err)
		var got []byte
		select {
		case got = <-read:
		case <-time.After(20 * time.Second):
			t.Fatal("the report never arrived through the pseudo-terminal")
		}
		require.NoError(t, term.Close())
		assert.Contains(t, string(got), "limit-in-ancestor")
		assert.Equal(t, tt.escapes, bytes.Contains(got, []byte("\x1b[")), "NO_COLOR=%q", tt.noColor)
		assert.Equal(t, tt.escapes, bytes.Contains(got, []byte("⚠")), "NO_COLOR=%q", tt.noColor)
	}
}
