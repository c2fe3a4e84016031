package main

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// codeConstants returns the value of every constant of type Code that
// limits/diagnostics.go declares, read from the source so that a new code
// cannot be missed.
func codeConstants(t *testing.T) []string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), "../../limits/diagnostics.go", nil, 0)
	require.NoError(t, err)
	var codes []string
	for _, decl := range file.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
				continue
			}
			for _, v := range vs.Values {
				lit, ok := v.(*ast.BasicLit)
				require.True(t, ok, "a Code constant is a string literal")
				code, err := strconv.Unquote(lit.Value)
				require.NoError(t, err)
				codes = append(codes, code)
			}
		}
	}
	require.GreaterOrEqual(t, len(codes), 13)
	return codes
}

// TestHelpTeaches checks -h: what the tool answers, the invocations, the
// exit statuses, -require's grammar, -env's variables, and one line for every diagnostic
// code limits declares, on stdout with status 0.
func TestHelpTeaches(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.Equal(t, exitOK, cli([]string{"-h"}, &stdout, &stderr))
	assert.Empty(t, stderr.String())
	help := stdout.String()
	for _, want := range []string{"how much memory and CPU", "cgroupinfo -pid 1234", "cgroupinfo -require 'memory>=1GiB,cpus>=2'",
		"cgroupinfo -json", "cgroupinfo -v ", "0  success", "1  error", "2  usage error", "3  a -require requirement is not met",
		"GiB", "-watch DURATION", "-tree", `eval "$(cgroupinfo -env)"`, "TRUELIMIT_MEMORY_BYTES ", "TRUELIMIT_CPUS_CEIL "} {
		assert.Contains(t, help, want)
	}
	lines := strings.Split(help, "\n")
	for _, code := range codeConstants(t) {
		found := false
		for _, l := range lines {
			if f := strings.Fields(l); len(f) > 1 && f[0] == code {
				found = true
			}
		}
		assert.True(t, found, "-h explains %s on a line of its own", code)
	}
}
