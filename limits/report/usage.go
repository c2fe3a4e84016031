package report

import (
	"strconv"
	"strings"

	"github.com/truelimit/truelimit/limits"
)

// usageDoc is the "usage" object (docs/SEMANTICS.md, Usage): every key
// always present, null when unknown.
type usageDoc struct {
	Memory   memoryUsageDoc `json:"memory"`
	CPU      cpuUsageDoc    `json:"cpu"`
	Pids     pidsUsageDoc   `json:"pids"`
	Pressure pressuresDoc   `json:"pressure"`
}

type memoryUsageDoc struct {
	CurrentBytes       *uint64         `json:"current_bytes"`
	WorkingSetBytes    *uint64         `json:"working_set_bytes"`
	PeakBytes          *uint64         `json:"peak_bytes"`
	SwapBytes          *uint64         `json:"swap_bytes"`
	AnonBytes          *uint64         `json:"anon_bytes"`
	FileBytes          *uint64         `json:"file_bytes"`
	KernelBytes        *uint64         `json:"kernel_bytes"`
	SockBytes          *uint64         `json:"sock_bytes"`
	ShmemBytes         *uint64         `json:"shmem_bytes"`
	InactiveFileBytes  *uint64         `json:"inactive_file_bytes"`
	HeadroomBytes      *uint64         `json:"headroom_bytes"`
	HeadroomSource     *string         `json:"headroom_source"`
	HighHeadroomBytes  *uint64         `json:"high_headroom_bytes"`
	HighHeadroomSource *string         `json:"high_headroom_source"`
	Events             eventsDoc       `json:"events"`
	LimitEvents        *limitEventsDoc `json:"limit_events"`
}

type eventsDoc struct {
	High    *uint64 `json:"high"`
	Max     *uint64 `json:"max"`
	OOM     *uint64 `json:"oom"`
	OOMKill *uint64 `json:"oom_kill"`
}

// limitEventsDoc is eventsDoc with the level it was read at; the embedded
// keys sit beside "source".
type limitEventsDoc struct {
	Source string `json:"source"`
	eventsDoc
}

type cpuUsageDoc struct {
	UsageUs    *uint64        `json:"usage_us"`
	Throttling *throttlingDoc `json:"throttling"`
}

type throttlingDoc struct {
	Source           string  `json:"source"`
	Periods          *uint64 `json:"periods"`
	ThrottledPeriods *uint64 `json:"throttled_periods"`
	ThrottledUs      *uint64 `json:"throttled_us"`
}

type pidsUsageDoc struct {
	Current *uint64 `json:"current"`
}

type pressuresDoc struct {
	Memory *pressureDoc `json:"memory"`
	CPU    *pressureDoc `json:"cpu"`
	IO     *pressureDoc `json:"io"`
}

type pressureDoc struct {
	Some pressureLineDoc  `json:"some"`
	Full *pressureLineDoc `json:"full"`
}

type pressureLineDoc struct {
	Avg10   float64 `json:"avg10"`
	Avg60   float64 `json:"avg60"`
	Avg300  float64 `json:"avg300"`
	TotalUs uint64  `json:"total_us"`
}

func newUsageDoc(u *limits.Usage) *usageDoc {
	m := u.Memory
	d := &usageDoc{
		Memory: memoryUsageDoc{
			CurrentBytes: count(m.Current), WorkingSetBytes: count(m.WorkingSet), PeakBytes: count(m.Peak),
			SwapBytes: count(m.Swap), AnonBytes: count(m.Anon), FileBytes: count(m.File), KernelBytes: count(m.Kernel),
			SockBytes: count(m.Sock), ShmemBytes: count(m.Shmem), InactiveFileBytes: count(m.InactiveFile),
			Events: eventsOf(m.Events),
		},
		CPU:  cpuUsageDoc{UsageUs: count(u.CPU.UsageUsec)},
		Pids: pidsUsageDoc{Current: count(u.Pids)},
		Pressure: pressuresDoc{Memory: pressureOf(u.Pressure.Memory), CPU: pressureOf(u.Pressure.CPU),
			IO: pressureOf(u.Pressure.IO)},
	}
	d.Memory.HeadroomBytes, d.Memory.HeadroomSource = headroom(m.Headroom)
	d.Memory.HighHeadroomBytes, d.Memory.HighHeadroomSource = headroom(m.HighHeadroom)
	if l := m.LimitEvents; l != nil {
		d.Memory.LimitEvents = &limitEventsDoc{Source: l.Source, eventsDoc: eventsOf(l.MemoryEvents)}
	}
	if t := u.CPU.Throttling; t != nil {
		d.CPU.Throttling = &throttlingDoc{Source: t.Source, Periods: count(t.Periods),
			ThrottledPeriods: count(t.ThrottledPeriods), ThrottledUs: count(t.ThrottledUsec)}
	}
	return d
}

func count(c limits.Count) *uint64 {
	if !c.Known {
		return nil
	}
	return ptr(c.Value)
}

func headroom(h limits.Headroom) (*uint64, *string) {
	if !h.Known {
		return nil, nil
	}
	return ptr(h.Bytes), ptr(h.Source)
}

func eventsOf(e limits.MemoryEvents) eventsDoc {
	return eventsDoc{High: count(e.High), Max: count(e.Max), OOM: count(e.OOM), OOMKill: count(e.OOMKill)}
}

func pressureOf(p *limits.Pressure) *pressureDoc {
	if p == nil {
		return nil
	}
	line := func(l limits.PressureLine) pressureLineDoc {
		return pressureLineDoc{Avg10: l.Avg10, Avg60: l.Avg60, Avg300: l.Avg300, TotalUs: l.TotalUsec}
	}
	d := &pressureDoc{Some: line(p.Some)}
	if p.Full != nil {
		full := line(*p.Full)
		d.Full = &full
	}
	return d
}

// usageRows are the rows of the Usage section of a report: how much the
// cgroup uses of its limit, the headroom and where it binds, the
// breakdown, the events, CPU use and throttling, and pressure. name turns
// a cgroup path into what the report calls it; sep joins the parts of a
// row.
func usageRows(r limits.Result, u *limits.Usage, name func(string) string, sep string) [][2]string {
	m := u.Memory
	var rows [][2]string
	row := func(label, text string) { rows = append(rows, [2]string{label, text}) }
	line := orUnknown(m.Current.Known, humanBytes(m.Current.Value))
	if l := r.Memory.Limit; l.State == limits.Limited && m.Current.Known && l.Value > 0 {
		line += " of " + humanBytes(l.Value) + " (" + strconv.FormatUint(m.Current.Value*100/l.Value, 10) + "%)"
	}
	if m.WorkingSet.Known {
		line += sep + "working set " + humanBytes(m.WorkingSet.Value)
	}
	if h := m.Headroom; h.Known {
		line += sep + "headroom " + humanBytes(h.Bytes) + " at " + name(h.Source)
	}
	row("memory", line)
	if h := m.HighHeadroom; h.Known {
		row("memory.high", "headroom "+humanBytes(h.Bytes)+" at "+name(h.Source))
	}
	var parts []string
	for _, c := range []struct {
		name  string
		count limits.Count
	}{{"anon", m.Anon}, {"file", m.File}, {"kernel", m.Kernel}, {"sock", m.Sock}, {"shmem", m.Shmem}, {"swap", m.Swap}, {"peak", m.Peak}} {
		if c.count.Known {
			parts = append(parts, c.name+" "+humanBytes(c.count.Value))
		}
	}
	if len(parts) > 0 {
		row("breakdown", strings.Join(parts, sep))
	}
	events := eventsText(m.Events)
	if l := m.LimitEvents; l != nil {
		events += sep + "at " + name(l.Source) + ": " + eventsText(l.MemoryEvents)
	}
	row("events", events)
	cpu := "unknown"
	if c := u.CPU.UsageUsec; c.Known {
		cpu = strconv.FormatFloat(float64(c.Value)/1e6, 'f', 2, 64) + " s used"
	}
	if t := u.CPU.Throttling; t != nil {
		if t.Periods.Known && t.ThrottledPeriods.Known && t.Periods.Value > 0 {
			cpu += sep + "throttled in " + strconv.FormatUint(t.ThrottledPeriods.Value, 10) + " of " +
				strconv.FormatUint(t.Periods.Value, 10) + " periods (" +
				strconv.FormatUint(t.ThrottledPeriods.Value*100/t.Periods.Value, 10) + "%) at " + name(t.Source)
		} else {
			cpu += sep + "throttling at " + name(t.Source) + " unknown"
		}
	}
	row("cpu", cpu)
	row("pids", orUnknown(u.Pids.Known, strconv.FormatUint(u.Pids.Value, 10)))
	var psi []string
	for _, f := range []struct {
		name string
		p    *limits.Pressure
	}{{"memory", u.Pressure.Memory}, {"cpu", u.Pressure.CPU}, {"io", u.Pressure.IO}} {
		if f.p != nil {
			psi = append(psi, f.name+" some "+strconv.FormatFloat(f.p.Some.Avg10, 'f', 2, 64)+"%")
		}
	}
	if len(psi) > 0 {
		row("pressure", "avg10 "+strings.Join(psi, sep))
	} else {
		row("pressure", "unknown (no PSI files)")
	}
	return rows
}

// eventsText says which memory events counted: "oom_kill 1, max 12", or
// "none" when every known counter is 0.
func eventsText(e limits.MemoryEvents) string {
	var parts []string
	for _, c := range []struct {
		name  string
		count limits.Count
	}{{"high", e.High}, {"max", e.Max}, {"oom", e.OOM}, {"oom_kill", e.OOMKill}} {
		if c.count.Known && c.count.Value > 0 {
			parts = append(parts, c.name+" "+strconv.FormatUint(c.count.Value, 10))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
