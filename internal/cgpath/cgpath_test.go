package cgpath

import "testing"

func TestIsClean(t *testing.T) {
	for p, want := range map[string]bool{
		"/": true, "/a": true, "/kubepods.slice/x.scope": true, "/a:b:c": true,
		"": false, "a": false, "/a/": false, "//a": false, "/a//b": false, "/.": false,
		"/a/..": false, "/../a": false, "/a/\x00": false,
	} {
		if got := IsClean(p); got != want {
			t.Errorf("IsClean(%q) = %v, want %v", p, got, want)
		}
	}
}
