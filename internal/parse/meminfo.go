package parse

import (
	"bytes"
	"math"
)

// memTotalKey starts the /proc/meminfo line holding the usable RAM of the
// host (Documentation/filesystems/proc.rst, "meminfo").
const memTotalKey = "MemTotal:"

// kBSuffix is the unit /proc/meminfo always prints; it means KiB.
const kBSuffix = "kB"

// MemTotal returns the MemTotal line of /proc/meminfo, e.g.
// "MemTotal:       24683620 kB", in bytes. A missing line or a value without
// the kB unit is ErrSyntax; a value whose byte count overflows uint64
// is ErrRange.
func MemTotal(b []byte) (bytesTotal uint64, err error) {
	for len(b) > 0 {
		var line []byte
		line, b = NextLine(b)
		if !bytes.HasPrefix(line, []byte(memTotalKey)) {
			continue
		}
		return memTotalLine(line)
	}
	return 0, NewError("meminfo MemTotal", nil, ErrSyntax)
}

// memTotalLine parses one "MemTotal: <n> kB" line.
func memTotalLine(line []byte) (uint64, error) {
	field := TrimSpace(line[len(memTotalKey):])
	num, ok := bytes.CutSuffix(field, []byte(kBSuffix))
	if !ok {
		return 0, NewError("meminfo MemTotal", line, ErrSyntax)
	}
	kib, err := Digits(TrimSpace(num))
	if err == nil && kib > math.MaxUint64/1024 {
		err = ErrRange
	}
	if err != nil {
		return 0, NewError("meminfo MemTotal", line, err)
	}
	return kib * 1024, nil
}
