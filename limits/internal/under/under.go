// Package under places every file a detection or a scan reads under one root
// directory (limits.WithRoot, node.WithRoot), so that the same code reads the
// live system at "/" and a captured tree in tests: a file is read at
// Prefix(root) + its absolute path.
package under

// Root returns the root WithRoot(dir) means: dir, or "/" for "".
func Root(dir string) string {
	if dir == "" {
		return "/"
	}
	return dir
}

// Prefix returns what an absolute path is prefixed with to lie under root:
// nothing for "/", root without its trailing slashes otherwise.
func Prefix(root string) string {
	for len(root) > 0 && root[len(root)-1] == '/' {
		root = root[:len(root)-1]
	}
	return root
}
