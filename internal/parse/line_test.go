package parse_test

import (
	"strings"
	"testing"

	"github.com/truelimit/truelimit/internal/parse"
)

func TestNextLine(t *testing.T) {
	tests := []struct {
		in, line, rest string
	}{
		{"a b\nc d\n", "a b", "c d\n"},
		{"last", "last", ""},
		{"one\n", "one", ""},
		{"\n\nx", "", "\nx"},
		{"", "", ""},
		{"cr\r\nx", "cr\r", "x"},
	}
	for _, tt := range tests {
		line, rest := parse.NextLine([]byte(tt.in))
		if string(line) != tt.line || string(rest) != tt.rest {
			t.Errorf("NextLine(%q) = %q, %q; want %q, %q", tt.in, line, rest, tt.line, tt.rest)
		}
		// A string made of a file's bytes is split with strings.Cut: the same rule.
		sline, srest, _ := strings.Cut(tt.in, "\n")
		if sline != tt.line || srest != tt.rest {
			t.Errorf("strings.Cut(%q) = %q, %q; want %q, %q", tt.in, sline, srest, tt.line, tt.rest)
		}
	}
}

func TestNextLineWalksEveryLineWithoutAllocating(t *testing.T) {
	in := "4:memory:/kubepods/burstable/pod1/abc\n\n0::/b"
	want := []string{"4:memory:/kubepods/burstable/pod1/abc", "", "0::/b"}
	var lines []string
	for rest := []byte(in); len(rest) > 0; {
		var line []byte
		line, rest = parse.NextLine(rest)
		lines = append(lines, string(line))
	}
	if len(lines) != len(want) {
		t.Fatalf("lines %q, want %q", lines, want)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Fatalf("lines %q, want %q", lines, want)
		}
	}
	b := []byte(in)
	allocs := testing.AllocsPerRun(100, func() {
		for rest := b; len(rest) > 0; {
			_, rest = parse.NextLine(rest)
		}
	})
	if allocs != 0 {
		t.Fatalf("got %v allocations, want 0", allocs)
	}
}
