package auto

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRefreshInterval(t *testing.T) {
	tests := []struct {
		env  string
		want time.Duration
		note string
	}{
		{"", defaultRefresh, ""},
		{"0", 0, ""},
		{"250ms", 250 * time.Millisecond, ""},
		{"5s", 5 * time.Second, ""},
		{"soon", defaultRefresh, "not a duration"},
		{"-1s", defaultRefresh, "not a duration"},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			t.Setenv("TRUELIMIT_REFRESH", tt.env)
			got, note := refreshInterval()
			assert.Equal(t, tt.want, got)
			if tt.note == "" {
				assert.Empty(t, note)
			} else {
				assert.Contains(t, note, tt.note)
			}
		})
	}
}

// TestApplyLogsOneLine: the import logs exactly one line saying what it set
// and why; TRUELIMIT=off still logs one line, saying nothing was changed.
func TestApplyLogsOneLine(t *testing.T) {
	for _, off := range []bool{false, true} {
		if off {
			t.Setenv("TRUELIMIT", "off")
		}
		t.Setenv("TRUELIMIT_REFRESH", "0")
		var buf bytes.Buffer
		apply(slog.New(slog.NewTextHandler(&buf, nil)))
		out := buf.String()
		assert.Equal(t, 1, strings.Count(out, "\n"), "one line: %s", out)
		assert.Contains(t, out, "GOMEMLIMIT=")
		assert.Contains(t, out, "GOMAXPROCS=")
		if off {
			assert.Contains(t, out, "TRUELIMIT=off")
		}
		mem, procs := Settings()
		assert.Equal(t, "GOMEMLIMIT", mem.Name)
		assert.Equal(t, "GOMAXPROCS", procs.Name)
	}
}
