package report

import (
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/truelimit/truelimit/cgroup"
	"github.com/truelimit/truelimit/limits"
)

// SummaryWidth is the most columns a line of Summary takes.
const SummaryWidth = 100

// SummaryOption changes how Summary writes.
type SummaryOption func(*summary)

// WithTerminal makes Summary write for a terminal: headings in bold,
// diagnostics in colour (ANSI escapes) and marked with Unicode symbols.
// Without it the summary is plain ASCII. Callers decide: a terminal on
// stdout, and NO_COLOR (https://no-color.org) unset or empty.
func WithTerminal() SummaryOption {
	return func(s *summary) { s.terminal = true }
}

// summary is the state of one Summary.
type summary struct {
	terminal bool
	lines    []string
}

// ANSI select-graphic-rendition sequences.
const (
	sgrBold   = "\x1b[1m"
	sgrYellow = "\x1b[33m"
	sgrReset  = "\x1b[0m"
)

// Summary writes the answer first, for people, in at most SummaryWidth
// columns: where the process is, each effective limit with a short name of
// the cgroup that sets it (LevelName), the host's totals, the usage and
// headroom when u is not nil, then each diagnostic with one line on what to
// do. Long cgroup paths in diagnostics are replaced by their LevelName;
// Text has the full paths, the cgroups, the host and the walk. It is safe
// for concurrent use.
func Summary(w io.Writer, r limits.Result, u *limits.Usage, opts ...SummaryOption) error {
	var s summary
	for _, o := range opts {
		o(&s)
	}
	sep := ", "
	if s.terminal {
		sep = " · "
	}
	where := "no cgroup located"
	if len(r.Placements) > 0 {
		where = "process in " + placeName(r.Placements[0].Path)
	}
	s.add(0, "cgroup "+r.Mode.String()+sep+where)

	s.heading("Limits")
	s.table(limitRows(r, sep))

	if u != nil {
		s.heading("Usage")
		rows := usageRows(r, u, LevelName, sep)
		three := make([][3]string, len(rows))
		for i, row := range rows {
			three[i] = [3]string{row[0], row[1]}
		}
		s.table(three)
	}

	s.heading("Diagnostics")
	if len(r.Diagnostics) == 0 {
		s.add(2, "(none)")
	}
	mark, arrow := "! ", "-> "
	if s.terminal {
		mark, arrow = "⚠ ", "→ "
	}
	for _, d := range r.Diagnostics {
		text := wrap(string(d.Code)+": "+shortenPaths(d.Message), SummaryWidth-4)
		if s.terminal {
			text[0] = sgrYellow + string(d.Code) + sgrReset + strings.TrimPrefix(text[0], string(d.Code))
		}
		s.add(2, mark+text[0])
		for _, l := range text[1:] {
			s.add(4, l)
		}
		if h, ok := helpFor(d.Code); ok {
			for i, l := range wrap(h.Action, SummaryWidth-7) {
				if i == 0 {
					s.add(4, arrow+l)
				} else {
					s.add(7, l)
				}
			}
		}
	}
	_, err := io.WriteString(w, strings.Join(s.lines, "\n")+"\n")
	return err
}

// add appends a line indented by indent spaces.
func (s *summary) add(indent int, text string) {
	s.lines = append(s.lines, strings.Repeat(" ", indent)+text)
}

// heading appends an empty line and a section title.
func (s *summary) heading(title string) {
	s.lines = append(s.lines, "")
	if s.terminal {
		title = sgrBold + title + sgrReset
	}
	s.lines = append(s.lines, title)
}

// table appends rows of a label, a value and a note, indented by 2, each
// column as wide as its widest cell (the value at most valueWidth), cells
// wrapped so no line is wider than SummaryWidth.
func (s *summary) table(rows [][3]string) {
	const valueWidth = 28
	labelW, valueW := 0, 0
	for _, r := range rows {
		labelW = max(labelW, width(r[0]))
		if r[2] != "" {
			valueW = max(valueW, min(width(r[1]), valueWidth))
		}
	}
	for _, r := range rows {
		indent := 2 + labelW + 2
		valueCol := SummaryWidth - indent
		var value, note []string
		if r[2] == "" {
			value = wrap(r[1], valueCol)
		} else {
			value = wrap(r[1], valueW)
			note = wrap(r[2], valueCol-valueW-2)
		}
		for i := 0; i < max(len(value), len(note)); i++ {
			label := ""
			if i == 0 {
				label = r[0]
			}
			line := "  " + pad(label, labelW) + "  "
			if i < len(value) {
				line += pad(value[i], valueW)
			} else {
				line += pad("", valueW)
			}
			if i < len(note) {
				line += "  " + note[i]
			}
			s.lines = append(s.lines, strings.TrimRight(line, " "))
		}
	}
}

// limitRows are the Limits section: each effective limit, the short name of
// the cgroup that sets it, and the host's totals.
func limitRows(r limits.Result, sep string) [][3]string {
	var version cgroup.Version
	if pl, ok := r.Placement("memory"); ok {
		version = pl.Version
	}
	m, c := r.Memory, r.CPU
	rows := [][3]string{{"memory", bytesShort(m.Limit), setBy(m.Limit.State, m.Limit.Source, m.Limit.Scope)}}
	if version != cgroup.V1 {
		rows = append(rows,
			[3]string{"memory.high", bytesShort(m.High), setBy(m.High.State, m.High.Source, m.High.Scope)},
			[3]string{"swap", bytesShort(m.Swap), setBy(m.Swap.State, m.Swap.Source, m.Swap.Scope)})
	}
	if version != cgroup.V2 {
		rows = append(rows, [3]string{"memory+swap", bytesShort(m.MemSwap), setBy(m.MemSwap.State, m.MemSwap.Source, m.MemSwap.Scope)})
	}
	cpu := c.Limit.State.String()
	if c.Limit.State == limits.Limited {
		cpu = strconv.FormatFloat(c.Limit.CPUs(), 'g', 4, 64) + " CPUs"
	}
	rows = append(rows, [3]string{"cpu", cpu, setBy(c.Limit.State, c.Limit.Source, c.Limit.Scope)})
	set := c.Set.State.String()
	if c.Set.State == limits.Limited {
		set = strconv.Itoa(c.Set.CPUs.Count()) + " CPUs"
		if list := c.Set.CPUs.String(); len(list) <= 16 {
			set += " (" + list + ")"
		}
	}
	rows = append(rows, [3]string{"cpuset", set, setBy(c.Set.State, c.Set.Source, limits.ScopeEffective)})
	rows = append(rows, [3]string{"pids", countText(r.Pids), setBy(r.Pids.State, r.Pids.Source, r.Pids.Scope)})

	h := r.Host
	host := orUnknown(h.MemTotal != 0, humanBytes(h.MemTotal)) + sep + orUnknown(h.OnlineCPUs != 0, strconv.Itoa(h.OnlineCPUs)) + " CPUs"
	if h.AffinityCPUs != 0 && h.AffinityCPUs != h.OnlineCPUs {
		host += " (" + strconv.Itoa(h.AffinityCPUs) + " in affinity)"
	}
	return append(rows, [3]string{"host", host, "totals, not limits"})
}

// setBy is the note beside a limit: the short name of the cgroup that
// sets it, and whether it is only the tightest visible.
func setBy(s limits.State, source string, scope limits.Scope) string {
	var note string
	if s == limits.Limited && source != "" {
		note = LevelName(source)
	}
	if s != limits.Unknown && scope == limits.ScopeVisible {
		if note != "" {
			note += ", "
		}
		note += "as far as visible (ancestors-hidden)"
	}
	return note
}

func bytesShort(b limits.Limit) string {
	if b.State != limits.Limited {
		return b.State.String()
	}
	return humanBytes(b.Value)
}

// longPath is the length above which shortenPaths replaces a cgroup path.
const longPath = 32

// shortenPaths replaces each word of a diagnostic's message that is an
// absolute path longer than longPath columns by its LevelName, keeping the
// punctuation around it.
func shortenPaths(msg string) string {
	words := strings.Split(msg, " ")
	for i, w := range words {
		start := strings.IndexByte(w, '/')
		if start < 0 || strings.Trim(w[:start], "(\"'") != "" {
			continue
		}
		end := len(strings.TrimRight(w, ";,:)\"'"))
		if end-start > longPath {
			words[i] = w[:start] + LevelName(w[start:end]) + w[end:]
		}
	}
	return strings.Join(words, " ")
}

// wrap breaks text into lines of at most n columns at spaces, and breaks a
// word longer than n.
func wrap(text string, n int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		for width(word) > n {
			if line != "" {
				lines, line = append(lines, line), ""
			}
			cut := byteOffset(word, n)
			lines, word = append(lines, word[:cut]), word[cut:]
		}
		switch {
		case line == "":
			line = word
		case width(line)+1+width(word) <= n:
			line += " " + word
		default:
			lines, line = append(lines, line), word
		}
	}
	return append(lines, line)
}

// width is the number of columns s takes: one per rune.
func width(s string) int { return utf8.RuneCountInString(s) }

// byteOffset is the byte offset of rune n in s.
func byteOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

func pad(s string, n int) string {
	return s + strings.Repeat(" ", max(0, n-width(s)))
}
