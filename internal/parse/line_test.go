package parse_test

import (
	"testing"

	"github.com/truelimit/truelimit/internal/parse"
)

func TestNextLine(t *testing.T) {
	tests := []struct {
		in         string
		line, rest string
		restNil    bool
	}{
		{"a b\nc d\n", "a b", "c d\n", false},
		{"last", "last", "", true},
		{"one\n", "one", "", false},
		{"\n\nx", "", "\nx", false},
		{"", "", "", true},
		{"cr\r\nx", "cr\r", "x", false},
	}
	for _, tt := range tests {
		line, rest := parse.NextLine([]byte(tt.in))
		if string(line) != tt.line || string(rest) != tt.rest || (rest == nil) != tt.restNil {
			t.Errorf("NextLine(%q) = %q, %q; want %q, %q (nil rest %v)", tt.in, line, rest, tt.line, tt.rest, tt.restNil)
		}
	}
}

func TestNextLineWalksEveryLine(t *testing.T) {
	in := []byte("4:memory:/a\n\n0::/b")
	var lines []string
	for rest := in; len(rest) > 0; {
		var line []byte
		line, rest = parse.NextLine(rest)
		lines = append(lines, string(line))
	}
	want := []string{"4:memory:/a", "", "0::/b"}
	if len(lines) != len(want) {
		t.Fatalf("lines %q, want %q", lines, want)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Fatalf("lines %q, want %q", lines, want)
		}
	}
	allocs := testing.AllocsPerRun(100, func() {
		for rest := in; len(rest) > 0; {
			_, rest = parse.NextLine(rest)
		}
	})
	if allocs != 0 {
		t.Fatalf("got %v allocations, want 0", allocs)
	}
}
