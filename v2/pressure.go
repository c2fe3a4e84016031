package v2

import (
	"errors"

	"github.com/truelimit/truelimit/internal/parse"
)

// pressureFiles names the PSI files in errors: memory.pressure,
// cpu.pressure and io.pressure of a cgroup, and /proc/pressure/memory, cpu
// and io, which have the same format.
const pressureFiles = "*.pressure"

// The first fields of a PSI file's lines (Documentation/accounting/psi.rst,
// "Pressure interface"): "some" for the share of time at least one task was
// stalled, "full" for the share of time all non-idle tasks were.
const (
	pressureSome = "some"
	pressureFull = "full"
)

// pressureAvgs are the names of a PSI line's averages, in the order the
// kernel prints them before "total".
var pressureAvgs = [3]string{"avg10", "avg60", "avg300"}

// pressureTotal names a PSI line's cumulative stall time field.
const pressureTotal = "total"

// PressureLine is one line of a PSI file: the share of wall time tasks were
// stalled, as percentages averaged over the last 10, 60 and 300 seconds,
// and the total stall time since boot or cgroup creation.
type PressureLine struct {
	// Avg10, Avg60 and Avg300 are percentages, 0 to 100, with the two
	// decimals the kernel prints.
	Avg10, Avg60, Avg300 float64
	// TotalUsec is the cumulative stall time in microseconds.
	TotalUsec uint64
}

// Pressure is the content of a PSI file such as memory.pressure.
type Pressure struct {
	// Some is the "some" line: time at least one task was stalled on the
	// resource.
	Some PressureLine
	// Full is the "full" line: time all non-idle tasks were stalled at
	// once, so no useful work was done. cpu.pressure has it only since
	// Linux 5.13.
	Full PressureLine
	// HasFull is true when the "full" line was present.
	HasFull bool
}

// ParsePressure parses a pressure stall information file: memory.pressure,
// cpu.pressure or io.pressure of a cgroup (Documentation/admin-guide/
// cgroup-v2.rst, "memory.pressure") or /proc/pressure/memory, cpu or io
// (Documentation/accounting/psi.rst, "Pressure interface"), whose lines read
//
//	some avg10=0.22 avg60=0.17 avg300=1.11 total=58761459
//	full avg10=0.22 avg60=0.16 avg300=1.08 total=58464525
//
// The fields must come in that order, each once, separated by white space,
// the averages as the kernel prints them: digits, '.', two digits. An
// average above 100 is cgroup.ErrRange. The "some" line is required
// (cgroup.ErrSyntax without it); the "full" line is optional, for
// cpu.pressure before 5.13 has none. irq.pressure, which has only a "full"
// line, is not this format. Other lines are ignored; the first "some" and
// the first "full" line win. An error names the line, e.g.
// "*.pressure some". It does not allocate.
func ParsePressure(b []byte) (Pressure, error) {
	var p Pressure
	hasSome := false
	for rest := b; len(rest) > 0; {
		var line []byte
		line, rest = parse.NextLine(rest)
		kind, fields := parse.NextField(line)
		var what string
		var dst *PressureLine
		switch {
		case string(kind) == pressureSome && !hasSome:
			what, dst, hasSome = pressureFiles+" "+pressureSome, &p.Some, true
		case string(kind) == pressureFull && !p.HasFull:
			what, dst, p.HasFull = pressureFiles+" "+pressureFull, &p.Full, true
		default:
			continue
		}
		var err error
		if *dst, err = pressureLine(fields); err != nil {
			return Pressure{}, parse.NewError(what, parse.TrimSpace(line), err)
		}
	}
	if !hasSome {
		return Pressure{}, parse.NewError(pressureFiles, parse.TrimSpace(b), parse.ErrSyntax)
	}
	return p, nil
}

// pressureLine parses the fields of a PSI line after "some" or "full". It
// returns a bare sentinel; the caller names the line.
func pressureLine(rest []byte) (PressureLine, error) {
	var avg [len(pressureAvgs)]float64
	for i, name := range pressureAvgs {
		var v []byte
		v, rest = pressureField(rest, name)
		var err error
		if avg[i], err = percent(v); err != nil {
			return PressureLine{}, err
		}
	}
	v, rest := pressureField(rest, pressureTotal)
	total, err := parse.Uint(v)
	if err != nil {
		return PressureLine{}, errors.Unwrap(err)
	}
	if extra, _ := parse.NextField(rest); extra != nil {
		return PressureLine{}, parse.ErrSyntax
	}
	return PressureLine{Avg10: avg[0], Avg60: avg[1], Avg300: avg[2], TotalUsec: total}, nil
}

// pressureField returns the value of the next field of rest when that field
// is "name=value", and nil otherwise, with what follows the field.
func pressureField(rest []byte, name string) (value, after []byte) {
	f, after := parse.NextField(rest)
	if len(f) <= len(name) || string(f[:len(name)]) != name || f[len(name)] != '=' {
		return nil, after
	}
	return f[len(name)+1:], after
}

// percent parses a PSI average, printed by the kernel as "%lu.%02lu", as a
// fixed-point number without going through a string. It returns a bare
// sentinel: ErrSyntax unless v is digits, '.', two digits; ErrRange above
// 100.
func percent(v []byte) (float64, error) {
	// Local: a package-level integer constant adds DWARF to every binary
	// that links the package (scripts/importcost.sh).
	const maxHundredths = 100 * 100 // 100.00, the most a PSI average can be
	// One pass: the whole part up to the point, summed only while it can
	// still be at most 100, so it cannot overflow; a non-digit anywhere is
	// still a syntax error.
	var whole uint64
	dot := 0
	for ; dot < len(v) && v[dot] != '.'; dot++ {
		d := v[dot] - '0'
		if d > 9 {
			return 0, parse.ErrSyntax
		}
		if whole <= maxHundredths/100 {
			whole = whole*10 + uint64(d)
		}
	}
	if dot == 0 || len(v)-dot-1 != 2 {
		return 0, parse.ErrSyntax
	}
	tens, ones := v[dot+1]-'0', v[dot+2]-'0'
	if tens > 9 || ones > 9 {
		return 0, parse.ErrSyntax
	}
	if whole > maxHundredths/100 {
		return 0, parse.ErrRange
	}
	hundredths := whole*100 + uint64(tens)*10 + uint64(ones)
	if hundredths > maxHundredths {
		return 0, parse.ErrRange
	}
	return float64(hundredths) / 100, nil
}
