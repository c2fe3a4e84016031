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
		{"1m30s", 90 * time.Second, ""},
		{"1.5s", 1500 * time.Millisecond, ""},
		{"-0", 0, ""},
		{"1 s", defaultRefresh, "not a duration"},
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

// FuzzParseDuration holds parseDuration to time.ParseDuration: the same
// duration where that gives one of at least 0, refused otherwise.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"1s", "250ms", "1.5h", "1m30s", "+2s", "-0", "-0s", "-1s", "0", "", ".", ".5s", "5.s", "1",
		"1\u00b5s", "1\u03bcs", "2562047h47m16.854775807s", "2562047h47m16.854775808s", "0.1234567890123456789012s", "9223372036854775808ns", "1 s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := time.ParseDuration(s)
		wantOK := err == nil && want >= 0
		got, ok := parseDuration(s)
		if ok != wantOK || (ok && got != want) {
			t.Fatalf("parseDuration(%q) = %v, %v; time.ParseDuration: %v, %v", s, got, ok, want, err)
		}
	})
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
