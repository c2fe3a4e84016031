package limits

// walkRecord lists every interface file the walks read, level by level, for
// a report that shows the walk (WithWalk).
func (r *reader) walkRecord() []Reading {
	var out []Reading
	for i := range r.levels {
		lv := &r.levels[i]
		lv.values.Describe(func(file, text string) {
			out = append(out, Reading{Controller: lv.loc.Controller, Cgroup: lv.loc.Path, File: file, Value: text})
		})
	}
	return out
}
