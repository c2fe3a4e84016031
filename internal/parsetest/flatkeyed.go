package parsetest

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/truelimit/truelimit/internal/parse"
)

// FlatKeyed describes a v1 or v2 parser that extracts some keys of a flat
// keyed file, for CheckFlatKeyed.
type FlatKeyed struct {
	// File is the file name the parser's errors start with, e.g.
	// "memory.stat".
	File string
	// Keys are the keys the parser extracts.
	Keys []string
	// Parse runs the parser and returns, in the order of Keys, each value
	// and whether its line was present.
	Parse func(b []byte) (vals []uint64, has []bool, err error)
}

// CheckFlatKeyed fails t unless p parses b as parse.FlatKeyed does key by
// key: the same values and presence, or, when a key's line is malformed, a
// parse error naming p.File and no values. It then checks that the present
// values, written back one "key value" line each as the kernel prints them,
// parse to the same.
func CheckFlatKeyed(t testing.TB, b []byte, p FlatKeyed) {
	t.Helper()
	vals, has, err := p.Parse(b)
	want, wantHas := make([]uint64, len(p.Keys)), make([]bool, len(p.Keys))
	malformed := false
	for i, key := range p.Keys {
		var kerr error
		want[i], wantHas[i], kerr = parse.FlatKeyed(b, key)
		malformed = malformed || kerr != nil
	}
	if malformed {
		CheckAnyParseError(t, err)
		if !strings.HasPrefix(err.Error(), "cgroup: parsing "+p.File+" ") {
			t.Fatalf("%s error %q does not name the file", p.File, err)
		}
		if slices.Contains(has, true) || slices.ContainsFunc(vals, func(v uint64) bool { return v != 0 }) {
			t.Fatalf("%s parser returned values with error: %v %v", p.File, vals, has)
		}
		return
	}
	if err != nil || !slices.Equal(vals, want) || !slices.Equal(has, wantHas) {
		t.Fatalf("%s parser(%q) = %v, %v, %v; parse.FlatKeyed %v, %v", p.File, b, vals, has, err, want, wantHas)
	}
	var canonical []byte
	for i, key := range p.Keys {
		if has[i] {
			canonical = append(canonical, key+" "+strconv.FormatUint(vals[i], 10)+"\n"...)
		}
	}
	again, againHas, err := p.Parse(canonical)
	if err != nil || !slices.Equal(again, vals) || !slices.Equal(againHas, has) {
		t.Fatalf("%s canonical %q parsed to %v, %v, %v; want %v, %v", p.File, canonical, again, againHas, err, vals, has)
	}
}
