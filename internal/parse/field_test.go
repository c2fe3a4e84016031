package parse_test

import (
	"slices"
	"testing"

	"github.com/truelimit/truelimit/internal/parse"
)

func TestNextField(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{" \t\r", nil},
		{"some avg10=0.00 avg60=0.00 avg300=0.00 total=0", []string{"some", "avg10=0.00", "avg60=0.00", "avg300=0.00", "total=0"}},
		{"memory\t9\t65310\t1", []string{"memory", "9", "65310", "1"}},
		{"  a \t b\r", []string{"a", "b"}},
		{"\va\fb", []string{"a", "b"}},
	}
	for _, tt := range tests {
		var got []string
		for f, rest := parse.NextField([]byte(tt.in)); f != nil; f, rest = parse.NextField(rest) {
			got = append(got, string(f))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("NextField fields of %q = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNextFieldDoesNotAllocate(t *testing.T) {
	in := []byte("some avg10=0.40 avg60=3.86 avg300=10.29 total=4852653486\n")
	n := 0
	allocs := testing.AllocsPerRun(100, func() {
		n = 0
		for f, rest := parse.NextField(in); f != nil; f, rest = parse.NextField(rest) {
			n++
		}
	})
	if n != 5 {
		t.Fatalf("got %d fields, want 5", n)
	}
	if allocs != 0 {
		t.Fatalf("got %v allocations, want 0", allocs)
	}
}
