package cgroup

import (
	"math/bits"
	"strconv"

	"github.com/truelimit/truelimit/internal/parse"
)

// cpuIDLimit bounds the CPU IDs ParseCPUList accepts. Linux supports at most
// 8192 CPUs (NR_CPUS); the margin keeps real lists working while an absurd ID
// in a corrupt file cannot make the parser allocate a huge bitmap.
const cpuIDLimit = 65536

// cpuListWhat names the cpu list format in errors.
const cpuListWhat = "cpu list"

// CPUSet is a set of CPU IDs, as read from cpuset.cpus.effective (v2),
// cpuset.effective_cpus or cpuset.cpus (v1) or
// /sys/devices/system/cpu/online. The zero value is the empty set. A CPUSet
// is immutable after ParseCPUList returns it and safe for concurrent use.
type CPUSet struct {
	words []uint64 // bit i of words[i/64] is CPU i
}

// ParseCPUList parses the kernel's cpu list format, comma-separated IDs and
// inclusive ranges such as "0-3,8,10-11\n" (Documentation/admin-guide/
// cgroup-v2.rst, "cpuset.cpus"; the format of bitmap_parselist), as read from
// cpuset.cpus.effective (v2), cpuset.effective_cpus or cpuset.cpus (v1).
// Surrounding white space is ignored and an empty list is the empty set,
// which is what a new v1 cpuset child reads before cpus are assigned. A
// reversed range ("3-1") or an ID of 65536 or more is ErrRange; anything else
// that is not the format is ErrSyntax. It allocates at most once.
func ParseCPUList(b []byte) (CPUSet, error) {
	t := parse.TrimSpace(b)
	highest := -1
	for rest := t; len(rest) > 0; {
		var hi int
		var err error
		if _, hi, rest, err = nextCPURange(rest); err != nil {
			return CPUSet{}, parse.NewError(cpuListWhat, t, err)
		}
		highest = max(highest, hi)
	}
	if highest < 0 {
		return CPUSet{}, nil
	}
	s := CPUSet{words: make([]uint64, highest/64+1)}
	for rest := t; len(rest) > 0; {
		var lo, hi int
		lo, hi, rest, _ = nextCPURange(rest)
		setCPURange(s.words, lo, hi)
	}
	return s, nil
}

// CountCPUList returns how many CPUs a cpu list names, without building the
// set, for lists the kernel writes in canonical form (ascending,
// non-overlapping ranges) such as /sys/devices/system/cpu/online
// (Documentation/ABI/testing/sysfs-devices-system-cpu): the host's online CPU
// count costs no allocation. It rejects what ParseCPUList rejects, and
// overlapping or unordered ranges too, since it could not count them right.
func CountCPUList(b []byte) (int, error) {
	t := parse.TrimSpace(b)
	n, next := 0, 0
	for rest := t; len(rest) > 0; {
		lo, hi, after, err := nextCPURange(rest)
		if err == nil && lo < next {
			err = ErrRange
		}
		if err != nil {
			return 0, parse.NewError(cpuListWhat, t, err)
		}
		n += hi - lo + 1
		next, rest = hi+1, after
	}
	return n, nil
}

// nextCPURange scans the first element of a non-empty cpu list t, an ID
// ("8") or an inclusive range ("0-3"), and returns it with the elements after
// its comma. rest is empty after the last element; a comma with nothing after
// it is ErrSyntax, a reversed range ErrRange. It is the one scanner of the
// format, for ParseCPUList and CountCPUList.
func nextCPURange(t []byte) (lo, hi int, rest []byte, err error) {
	lo, rest, err = cpuID(t)
	if err != nil {
		return 0, 0, nil, err
	}
	hi = lo
	if len(rest) > 0 && rest[0] == '-' {
		if hi, rest, err = cpuID(rest[1:]); err != nil {
			return 0, 0, nil, err
		}
		if hi < lo {
			return 0, 0, nil, ErrRange
		}
	}
	switch {
	case len(rest) == 0:
		return lo, hi, rest, nil
	case rest[0] == ',' && len(rest) > 1:
		return lo, hi, rest[1:], nil
	}
	return 0, 0, nil, ErrSyntax
}

// cpuID parses the decimal CPU ID at the start of b and returns the rest.
func cpuID(b []byte) (id int, rest []byte, err error) {
	n := 0
	for n < len(b) && b[n] >= '0' && b[n] <= '9' {
		if id < cpuIDLimit { // stop growing once too large: no overflow
			id = id*10 + int(b[n]-'0')
		}
		n++
	}
	if n == 0 {
		return 0, nil, ErrSyntax
	}
	if id >= cpuIDLimit {
		return 0, nil, ErrRange
	}
	return id, b[n:], nil
}

// setCPURange sets the bits lo..hi (inclusive), a word at a time.
func setCPURange(words []uint64, lo, hi int) {
	for cpu := lo; cpu <= hi; {
		bit := cpu % 64
		n := min(hi-cpu+1, 64-bit)
		words[cpu/64] |= ^uint64(0) >> (64 - n) << bit
		cpu += n
	}
}

// Count returns the number of CPUs in the set.
func (s CPUSet) Count() int {
	n := 0
	for _, w := range s.words {
		n += bits.OnesCount64(w)
	}
	return n
}

// Contains reports whether cpu is in the set.
func (s CPUSet) Contains(cpu int) bool {
	if cpu < 0 || cpu/64 >= len(s.words) {
		return false
	}
	return s.words[cpu/64]&(1<<(cpu%64)) != 0
}

// IsEmpty reports whether the set holds no CPU.
func (s CPUSet) IsEmpty() bool {
	for _, w := range s.words {
		if w != 0 {
			return false
		}
	}
	return true
}

// Equal reports whether s and o hold the same CPUs.
func (s CPUSet) Equal(o CPUSet) bool {
	for i := range max(len(s.words), len(o.words)) {
		if s.word(i) != o.word(i) {
			return false
		}
	}
	return true
}

// word returns the i-th word of the bitmap, zero beyond its end.
func (s CPUSet) word(i int) uint64 {
	if i < len(s.words) {
		return s.words[i]
	}
	return 0
}

// String returns the set in the canonical cpu list format the kernel prints,
// ascending with runs collapsed: "0-3,8,10-11". The empty set is "".
func (s CPUSet) String() string {
	var out []byte
	limit := len(s.words) * 64
	for cpu := 0; cpu < limit; cpu++ {
		if !s.Contains(cpu) {
			continue
		}
		end := cpu
		for end+1 < limit && s.Contains(end+1) {
			end++
		}
		if len(out) > 0 {
			out = append(out, ',')
		}
		out = strconv.AppendInt(out, int64(cpu), 10)
		if end > cpu {
			out = append(out, '-')
			out = strconv.AppendInt(out, int64(end), 10)
		}
		cpu = end
	}
	return string(out)
}
