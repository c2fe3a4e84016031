package under

import "testing"

func TestRootAndPrefix(t *testing.T) {
	for _, tt := range []struct{ dir, root, prefix string }{
		{"", "/", ""},
		{"/", "/", ""},
		{"/host", "/host", "/host"},
		{"/host/", "/host/", "/host"},
		{"testdata/tree//", "testdata/tree//", "testdata/tree"},
	} {
		root := Root(tt.dir)
		if root != tt.root || Prefix(root) != tt.prefix {
			t.Errorf("Root(%q) = %q, Prefix = %q; want %q, %q", tt.dir, root, Prefix(root), tt.root, tt.prefix)
		}
	}
}
