package v2

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/internal/parsetest"
)

// hostCPUPressure is /sys/fs/cgroup/unified/cpu.pressure, the root cgroup,
// on a Linux 6.18 host; /proc/pressure/cpu has the same shape.
const hostCPUPressure = `some avg10=0.33 avg60=3.74 avg300=10.22 total=4852657696
full avg10=0.00 avg60=0.00 avg300=0.00 total=0
`

// hostIOPressure is /sys/fs/cgroup/unified/io.pressure on the same host.
const hostIOPressure = `some avg10=0.01 avg60=0.22 avg300=2.51 total=394599288
full avg10=0.01 avg60=0.15 avg300=1.68 total=204664137
`

// hostMemoryPressure is /proc/pressure/memory on the same host.
const hostMemoryPressure = `some avg10=0.00 avg60=0.00 avg300=0.00 total=2602452
full avg10=0.00 avg60=0.00 avg300=0.00 total=1107794
`

// oldCPUPressure is cpu.pressure before Linux 5.13: no full line
// (Documentation/accounting/psi.rst).
const oldCPUPressure = "some avg10=2.04 avg60=0.75 avg300=0.40 total=157656722\n"

func TestParsePressure(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Pressure
		wantErr error
	}{
		{"host cpu.pressure", hostCPUPressure, Pressure{
			Some:    PressureLine{Avg10: 0.33, Avg60: 3.74, Avg300: 10.22, TotalUsec: 4852657696},
			HasFull: true,
		}, nil},
		{"host io.pressure", hostIOPressure, Pressure{
			Some:    PressureLine{Avg10: 0.01, Avg60: 0.22, Avg300: 2.51, TotalUsec: 394599288},
			Full:    PressureLine{Avg10: 0.01, Avg60: 0.15, Avg300: 1.68, TotalUsec: 204664137},
			HasFull: true,
		}, nil},
		{"host memory pressure", hostMemoryPressure, Pressure{
			Some:    PressureLine{TotalUsec: 2602452},
			Full:    PressureLine{TotalUsec: 1107794},
			HasFull: true,
		}, nil},
		{"cpu.pressure before 5.13", oldCPUPressure, Pressure{
			Some: PressureLine{Avg10: 2.04, Avg60: 0.75, Avg300: 0.40, TotalUsec: 157656722},
		}, nil},
		{"psi.rst example", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
			Pressure{HasFull: true}, nil},
		{"full before some", "full avg10=1.00 avg60=0.00 avg300=0.00 total=5\nsome avg10=2.00 avg60=0.00 avg300=0.00 total=9",
			Pressure{Some: PressureLine{Avg10: 2, TotalUsec: 9}, Full: PressureLine{Avg10: 1, TotalUsec: 5}, HasFull: true}, nil},
		{"100 percent", "some avg10=100.00 avg60=99.99 avg300=100.00 total=18446744073709551615\n",
			Pressure{Some: PressureLine{Avg10: 100, Avg60: 99.99, Avg300: 100, TotalUsec: math.MaxUint64}}, nil},
		{"CRLF and extra spaces", "some  avg10=1.50\tavg60=0.00 avg300=0.00 total=7 \r\n",
			Pressure{Some: PressureLine{Avg10: 1.5, TotalUsec: 7}}, nil},
		{"unknown lines ignored", "# psi\nsomething else\nfull_x 1\nsome avg10=0.10 avg60=0.00 avg300=0.00 total=1\n\n",
			Pressure{Some: PressureLine{Avg10: 0.1, TotalUsec: 1}}, nil},
		{"first some wins", "some avg10=0.10 avg60=0.00 avg300=0.00 total=1\nsome junk\n",
			Pressure{Some: PressureLine{Avg10: 0.1, TotalUsec: 1}}, nil},
		{"empty", "", Pressure{}, cgroup.ErrSyntax},
		{"no some line", "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", Pressure{}, cgroup.ErrSyntax},
		{"some alone", "some\n", Pressure{}, cgroup.ErrSyntax},
		{"missing total", "some avg10=0.00 avg60=0.00 avg300=0.00\n", Pressure{}, cgroup.ErrSyntax},
		{"missing avg60", "some avg10=0.00 avg300=0.00 total=0\n", Pressure{}, cgroup.ErrSyntax},
		{"fields out of order", "some avg60=0.00 avg10=0.00 avg300=0.00 total=0\n", Pressure{}, cgroup.ErrSyntax},
		{"extra field", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0 x=1\n", Pressure{}, cgroup.ErrSyntax},
		{"one decimal", "some avg10=0.0 avg60=0.00 avg300=0.00 total=0\n", Pressure{}, cgroup.ErrSyntax},
		{"three decimals", "some avg10=0.000 avg60=0.00 avg300=0.00 total=0\n", Pressure{}, cgroup.ErrSyntax},
		{"no integer part", "some avg10=.00 avg60=0.00 avg300=0.00 total=0\n", Pressure{}, cgroup.ErrSyntax},
		{"no dot", "some avg10=000 avg60=0.00 avg300=0.00 total=0\n", Pressure{}, cgroup.ErrSyntax},
		{"negative", "some avg10=-1.00 avg60=0.00 avg300=0.00 total=0\n", Pressure{}, cgroup.ErrSyntax},
		{"exponent", "some avg10=1e2.00 avg60=0.00 avg300=0.00 total=0\n", Pressure{}, cgroup.ErrSyntax},
		{"space before =", "some avg10 =0.00 avg60=0.00 avg300=0.00 total=0\n", Pressure{}, cgroup.ErrSyntax},
		{"empty total", "some avg10=0.00 avg60=0.00 avg300=0.00 total=\n", Pressure{}, cgroup.ErrSyntax},
		{"bad full line", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=x\n", Pressure{}, cgroup.ErrSyntax},
		{"above 100", "some avg10=100.01 avg60=0.00 avg300=0.00 total=0\n", Pressure{}, cgroup.ErrRange},
		{"far above 100", "some avg10=101.00 avg60=0.00 avg300=0.00 total=0\n", Pressure{}, cgroup.ErrRange},
		{"huge average", "some avg10=99999999999999999999.00 avg60=0.00 avg300=0.00 total=0\n", Pressure{}, cgroup.ErrRange},
		{"total overflow", "some avg10=0.00 avg60=0.00 avg300=0.00 total=18446744073709551616\n", Pressure{}, cgroup.ErrRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePressure([]byte(tt.in))
			parsetest.CheckErr(t, err, tt.wantErr)
			if got != tt.want {
				t.Fatalf("ParsePressure = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func BenchmarkParsePressure(b *testing.B) {
	in := []byte(hostIOPressure)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePressure(in); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzParsePressure checks that ParsePressure does not panic, agrees with a
// slow reference built from strings.FieldsFunc and strconv, and that a
// successful parse, printed back as the kernel prints it, parses to the same
// values.
func FuzzParsePressure(f *testing.F) {
	for _, s := range []string{hostCPUPressure, hostIOPressure, hostMemoryPressure, oldCPUPressure, "",
		"some avg10=100.00 avg60=100.01 avg300=0.00 total=0\n", "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=1.0 avg60=0.00 avg300=0.00 total=0 x\n", "some avg10=0.00 avg60=0.00 avg300=0.00 total=-1\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePressure(b)
		want, ok := referencePressure(string(b))
		if ok != (err == nil) || (ok && p != want) {
			t.Fatalf("ParsePressure(%q) = %+v, %v; reference %+v, %v", b, p, err, want, ok)
		}
		if err != nil {
			parsetest.CheckAnyParseError(t, err)
			if p != (Pressure{}) {
				t.Fatalf("ParsePressure(%q) returned values with error: %+v", b, p)
			}
			return
		}
		lines := []PressureLine{p.Some}
		if p.HasFull {
			lines = append(lines, p.Full)
		} else if p.Full != (PressureLine{}) {
			t.Fatalf("ParsePressure(%q) filled Full without a full line: %+v", b, p)
		}
		canonical := ""
		for i, l := range lines {
			for _, avg := range []float64{l.Avg10, l.Avg60, l.Avg300} {
				if !(avg >= 0 && avg <= 100) {
					t.Fatalf("ParsePressure(%q) accepted average %v", b, avg)
				}
			}
			canonical += fmt.Sprintf("%s avg10=%.2f avg60=%.2f avg300=%.2f total=%d\n",
				[]string{"some", "full"}[i], l.Avg10, l.Avg60, l.Avg300, l.TotalUsec)
		}
		again, err := ParsePressure([]byte(canonical))
		if err != nil || again != p {
			t.Fatalf("canonical %q of %q parsed to %+v, %v; want %+v", canonical, b, again, err, p)
		}
	})
}

// referencePressure is the slow, obviously right version of ParsePressure:
// the first line whose first field is "some" (required) or "full" must have
// exactly the fields avg10=, avg60=, avg300= and total=, the averages
// digits, '.', two digits, at most 100. ok is false when ParsePressure must
// fail.
func referencePressure(b string) (p Pressure, ok bool) {
	hasSome := false
	for _, line := range strings.Split(b, "\n") {
		fields := strings.FieldsFunc(line, func(r rune) bool { return strings.ContainsRune(" \t\n\r\v\f", r) })
		if len(fields) == 0 || (fields[0] != "some" || hasSome) && (fields[0] != "full" || p.HasFull) {
			continue
		}
		l, lok := referencePressureLine(fields[1:])
		if !lok {
			return Pressure{}, false
		}
		if fields[0] == "some" {
			p.Some, hasSome = l, true
		} else {
			p.Full, p.HasFull = l, true
		}
	}
	if !hasSome {
		return Pressure{}, false
	}
	return p, true
}

var referenceAvg = regexp.MustCompile(`^[0-9]+\.[0-9][0-9]$`)

func referencePressureLine(fields []string) (l PressureLine, ok bool) {
	names := []string{"avg10=", "avg60=", "avg300=", "total="}
	if len(fields) != len(names) {
		return l, false
	}
	var avg [3]float64
	for i, name := range names[:3] {
		v, found := strings.CutPrefix(fields[i], name)
		if !found || !referenceAvg.MatchString(v) {
			return l, false
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f > 100 {
			return l, false
		}
		avg[i] = f
	}
	v, found := strings.CutPrefix(fields[3], names[3])
	total, err := strconv.ParseUint(v, 10, 64)
	if !found || err != nil || strings.HasPrefix(v, "+") {
		return l, false
	}
	return PressureLine{Avg10: avg[0], Avg60: avg[1], Avg300: avg[2], TotalUsec: total}, true
}
