package parse_test

import (
	"errors"
	"io"
	"testing"

	"github.com/truelimit/truelimit/internal/parse"
	"github.com/truelimit/truelimit/internal/parsetest"
)

func TestRelabel(t *testing.T) {
	_, err := parse.Uint([]byte("12a\n"))
	err = parse.Relabel(err, "memory.current")
	parsetest.CheckErr(t, err, parse.ErrSyntax)
	want := `cgroup: parsing memory.current "12a": invalid syntax`
	if err.Error() != want {
		t.Fatalf("got %q, want %q", err, want)
	}
	if got := parse.Relabel(io.EOF, "x"); !errors.Is(got, io.EOF) {
		t.Fatalf("Relabel changed a foreign error: %v", got)
	}
	if parse.Relabel(nil, "x") != nil {
		t.Fatal("Relabel(nil) is not nil")
	}
}

func TestRelabelKey(t *testing.T) {
	_, _, err := parse.FlatKeyed([]byte("anon 12a\n"), "anon")
	err = parse.RelabelKey(err, "memory.stat")
	parsetest.CheckErr(t, err, parse.ErrSyntax)
	want := `cgroup: parsing memory.stat anon "anon 12a": invalid syntax`
	if err.Error() != want {
		t.Fatalf("got %q, want %q", err, want)
	}
	if got := parse.RelabelKey(io.EOF, "x"); !errors.Is(got, io.EOF) {
		t.Fatalf("RelabelKey changed a foreign error: %v", got)
	}
	if parse.RelabelKey(nil, "x") != nil {
		t.Fatal("RelabelKey(nil) is not nil")
	}
}
