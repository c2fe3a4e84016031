package parse_test

import (
	"testing"

	"github.com/truelimit/truelimit/internal/parse"
	"github.com/truelimit/truelimit/internal/parsetest"
)

func TestKernelVersion(t *testing.T) {
	tests := []struct {
		in           string
		major, minor int
		wantErr      error
	}{
		{"6.18.44-fc-v782\n", 6, 18, nil}, // this host
		{"3.10.0-1160.el7.x86_64\n", 3, 10, nil},
		{"4.15.0-213-generic\n", 4, 15, nil},
		{"5.4", 5, 4, nil},
		{"6.1.0-rc1", 6, 1, nil},
		{"4.14+", 4, 14, nil},
		{"  5.10.0  ", 5, 10, nil},
		{"5", 0, 0, parse.ErrSyntax},
		{"5.", 0, 0, parse.ErrSyntax},
		{".5", 0, 0, parse.ErrSyntax},
		{"v5.4", 0, 0, parse.ErrSyntax},
		{"5-4", 0, 0, parse.ErrSyntax},
		{"", 0, 0, parse.ErrSyntax},
		{"2147483648.1", 0, 0, parse.ErrRange},
		{"5.99999999999999999999", 0, 0, parse.ErrRange},
	}
	for _, tt := range tests {
		major, minor, err := parse.KernelVersion([]byte(tt.in))
		parsetest.CheckErr(t, err, tt.wantErr)
		if major != tt.major || minor != tt.minor {
			t.Errorf("KernelVersion(%q) = %d.%d, want %d.%d", tt.in, major, minor, tt.major, tt.minor)
		}
	}
}
