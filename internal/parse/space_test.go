package parse_test

import (
	"testing"

	"github.com/truelimit/truelimit/internal/parse"
)

func TestTrimSpace(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"\n", ""},
		{"max\n", "max"},
		{" \t 42 \r\n", "42"},
		{"a b", "a b"},
		{"\v\fx\f\v", "x"},
	}
	for _, tt := range tests {
		if got := string(parse.TrimSpace([]byte(tt.in))); got != tt.want {
			t.Errorf("TrimSpace(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTrimSpaceReturnsSubslice(t *testing.T) {
	b := []byte("  7\n")
	got := parse.TrimSpace(b)
	if len(got) != 1 || &got[0] != &b[2] {
		t.Fatalf("TrimSpace did not return a subslice of its input")
	}
}
