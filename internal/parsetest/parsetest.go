// Package parsetest holds the assertions the parser packages' tests share:
// that an error is a *parse.Error (cgroup.ParseError to users) wrapping the
// expected sentinel.
package parsetest

import (
	"errors"
	"testing"

	"github.com/truelimit/truelimit/internal/parse"
)

// CheckErr fails t unless err matches want: nil for success, otherwise a
// *parse.Error wrapping want.
func CheckErr(t testing.TB, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var pe *parse.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *cgroup.ParseError", err, err)
	}
	if !errors.Is(err, want) {
		t.Fatalf("error %v does not wrap %v", err, want)
	}
}

// CheckAnyParseError fails t unless err is a *parse.Error wrapping
// parse.ErrSyntax or parse.ErrRange.
func CheckAnyParseError(t testing.TB, err error) {
	t.Helper()
	var pe *parse.Error
	if !errors.As(err, &pe) || !(errors.Is(err, parse.ErrSyntax) || errors.Is(err, parse.ErrRange)) {
		t.Fatalf("error %v (%T) is not a *cgroup.ParseError wrapping a sentinel", err, err)
	}
}
