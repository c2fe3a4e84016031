package main

import (
	"cmp"
	"html/template"
	"net/http"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/truelimit/truelimit/examples/limitexporter/collector"
	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/node"
)

// closestShown is how many cgroups the page lists by headroom.
const closestShown = 25

// closeRow is one cgroup of the page's first table.
type closeRow struct {
	Path, Source       string
	Usage, Limit, Room string
	Used               string // percent of the binding limit in use
	used               float64
}

// page is what the page template shows.
type page struct {
	Host        string
	At          string
	Duration    string
	Mode        string
	Cgroups     int
	MemCgroups  string
	Err         string
	Closest     []closeRow
	Diagnostics []collector.Diagnostic
	Scan        []limits.Diagnostic // the scan's own
}

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>truelimit: {{.Host}}</title>
<style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}td.n{text-align:right}code{font-size:90%}</style>
</head><body>
<h1>truelimit on {{.Host}}</h1>
<p>Scanned {{.At}} in {{.Duration}}: {{.Cgroups}} cgroups, mode {{.Mode}}, memory cgroups {{.MemCgroups}}. <a href="/metrics">metrics</a></p>
{{if .Err}}<p><b>The scan failed:</b> {{.Err}}</p>{{end}}
<h2>Closest to their binding memory limit</h2>
{{if .Closest}}<table><tr><th>cgroup</th><th>used</th><th>headroom</th><th>usage</th><th>binding limit</th><th>set by</th></tr>
{{range .Closest}}<tr><td><code>{{.Path}}</code></td><td class="n">{{.Used}}</td><td class="n">{{.Room}}</td><td class="n">{{.Usage}}</td><td class="n">{{.Limit}}</td><td><code>{{.Source}}</code></td></tr>
{{end}}</table>{{else}}<p>No cgroup has a memory limit with a known headroom.</p>{{end}}
<h2>Diagnostics</h2>
{{if .Diagnostics}}<table><tr><th>cgroup</th><th>code</th><th>what</th></tr>
{{range .Diagnostics}}<tr><td><code>{{.Path}}</code></td><td>{{.Code}}</td><td>{{.Message}}</td></tr>
{{end}}</table>{{else}}<p>None.</p>{{end}}
{{if .Scan}}<h2>The scan's own diagnostics</h2><ul>{{range .Scan}}<li>{{.Code}}: {{.Message}}</li>{{end}}</ul>{{end}}
</body></html>
`))

// pageHandler serves the page from the collector's snapshot (a scrape
// within -max-age shares it).
func pageHandler(c *collector.Collector) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s := c.Snapshot()
		host, _ := os.Hostname()
		p := page{Host: host, At: s.At.UTC().Format(time.RFC3339), Duration: s.Duration.Round(time.Microsecond).String(),
			Mode: s.Mode, MemCgroups: "unknown", Diagnostics: s.Diagnostics}
		if s.MemoryCgroups.Known {
			p.MemCgroups = strconv.FormatUint(s.MemoryCgroups.Value, 10) + " of " + strconv.Itoa(collector.MemcgIDLimit)
		}
		if s.Err != nil {
			p.Err = s.Err.Error()
		}
		if s.Tree != nil {
			p.Cgroups = len(s.Tree.Cgroups)
			p.Closest = closest(s.Tree, closestShown)
			for _, d := range s.Tree.Diagnostics {
				if d.Code != limits.CodeLimitHiddenFromProcess { // listed by cgroup above
					p.Scan = append(p.Scan, d)
				}
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := pageTemplate.Execute(w, p); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
}

// closest returns the n cgroups that use the largest share of the memory
// limit that leaves them the least headroom: the limit of the headroom's
// source level (its own limit; the effective one for v1's
// hierarchical_memory_limit), the cgroup path breaking ties.
func closest(t *node.Tree, n int) []closeRow {
	var rows []closeRow
	for i := range t.Cgroups {
		cg := &t.Cgroups[i]
		if cg.Usage == nil || !cg.Usage.Headroom.Known {
			continue
		}
		h := cg.Usage.Headroom
		limit := cg.Effective.Memory
		if src := t.Lookup(h.Source); src != nil && src.Own.Memory.State == limits.Limited {
			limit = src.Own.Memory
		}
		if limit.State != limits.Limited || limit.Value == 0 {
			continue
		}
		used := 1 - float64(h.Bytes)/float64(limit.Value)
		r := closeRow{Path: cg.Path, Source: h.Source, Limit: binaryBytes(limit.Value), Room: binaryBytes(h.Bytes),
			Usage: "unknown", Used: strconv.FormatFloat(100*used, 'f', 1, 64) + "%", used: used}
		if cg.Usage.Current.Known {
			r.Usage = binaryBytes(cg.Usage.Current.Value)
		}
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b closeRow) int {
		return cmp.Or(cmp.Compare(b.used, a.used), cmp.Compare(a.Path, b.Path))
	})
	return rows[:min(n, len(rows))]
}

// binaryBytes writes n in binary units, three significant digits.
func binaryBytes(n uint64) string {
	const units = "KMGTPE"
	if n < 1024 {
		return strconv.FormatUint(n, 10) + " B"
	}
	v, i := float64(n)/1024, 0
	for v >= 1024 && i < len(units)-1 {
		v, i = v/1024, i+1
	}
	return strconv.FormatFloat(v, 'g', 3, 64) + " " + units[i:i+1] + "iB"
}
