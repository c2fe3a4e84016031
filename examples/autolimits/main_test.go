package main

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestStatusShowsTheValuesInForce checks the page against the runtime: the
// test binary links limits/auto too, so its init has run.
func TestStatusShowsTheValuesInForce(t *testing.T) {
	rec := httptest.NewRecorder()
	status(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	body := rec.Body.String()
	for _, want := range []string{"GOMEMLIMIT ", "GOMAXPROCS " + strconv.Itoa(runtime.GOMAXPROCS(0)), "set at start:", "source:"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q:\n%s", want, body)
		}
	}
}
