package systemd

import (
	"errors"
	"path"
	"strings"
	"testing"
)

// refExpandSlice is github.com/opencontainers/cgroups/systemd.ExpandSlice's
// algorithm written the obvious way, as a reference for fuzzing.
func refExpandSlice(slice string) (string, bool) {
	if !strings.HasSuffix(slice, ".slice") || strings.Contains(slice, "/") {
		return "", false
	}
	name := strings.TrimSuffix(slice, ".slice")
	if name == "-" {
		return "/", true
	}
	var out, prefix string
	for _, c := range strings.Split(name, "-") {
		if c == "" {
			return "", false
		}
		out += "/" + prefix + c + ".slice"
		prefix += c + "-"
	}
	return out, true
}

func addExpandSeeds(f *testing.F) {
	var cases []expandCase
	loadJSON(f, "expand_cases.json", &cases)
	for _, c := range cases {
		f.Add(c.Slice)
	}
}

func FuzzExpandSlice(f *testing.F) {
	addExpandSeeds(f)
	f.Fuzz(func(t *testing.T, slice string) {
		got, err := ExpandSlice(slice)
		want, ok := refExpandSlice(slice)
		if ok && (len(slice) >= unitNameMax || len(want) >= pathMax) {
			// Where runc would build a path systemd refuses (a name of 256
			// bytes or more, or a path past PATH_MAX), ExpandSlice bounds
			// its work and refuses it.
			if !errors.Is(err, ErrInvalidSlice) {
				t.Fatalf("ExpandSlice(%q) = %q, %v; want ErrInvalidSlice past the bounds", slice, got, err)
			}
			return
		}
		if ok != (err == nil) || got != want {
			t.Fatalf("ExpandSlice(%q) = %q, %v; reference %q, %v", slice, got, err, want, ok)
		}
		if err != nil {
			return
		}
		if !strings.HasPrefix(got, "/") {
			t.Fatalf("ExpandSlice(%q) = %q does not start with '/'", slice, got)
		}
		if slice != rootSlice && !strings.HasSuffix(got, "/"+slice) {
			t.Fatalf("ExpandSlice(%q) = %q does not end with the slice", slice, got)
		}
		if validateSliceName(slice) == nil && got != "/" && strings.Count(got, "/") != strings.Count(slice, "-")+1 {
			t.Fatalf("ExpandSlice(%q) = %q has the wrong depth", slice, got)
		}
	})
}

func FuzzParseCgroupsPath(f *testing.F) {
	var cases []cgroupsPathCase
	loadJSON(f, "cgroupspath_cases.json", &cases)
	for _, c := range cases {
		f.Add(c.In)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cp, err := ParseCgroupsPath(s)
		if (err == nil) != (strings.Count(s, ":") == 2) {
			t.Fatalf("ParseCgroupsPath(%q) error %v with %d ':'", s, err, strings.Count(s, ":"))
		}
		if IsSystemdCgroupsPath(s) && err != nil {
			t.Fatalf("IsSystemdCgroupsPath(%q) but ParseCgroupsPath fails: %v", s, err)
		}
		if err != nil {
			return
		}
		if cp.String() != s {
			t.Fatalf("String() = %q, want %q", cp.String(), s)
		}
		p, err := cp.Path()
		if err != nil {
			return
		}
		unit := cp.UnitName()
		if !strings.HasPrefix(p, "/") || !strings.HasSuffix(p, "/"+unit) && p != "/"+unit {
			t.Fatalf("Path of %q = %q, unit %q", s, p, unit)
		}
		if path.Clean(p) != p {
			t.Fatalf("Path of %q = %q is not clean", s, p)
		}
		parent, err := ExpandSlice(cp.ParentSlice())
		if err != nil || path.Dir(p) != parent {
			t.Fatalf("Path of %q = %q, parent %q (%v)", s, p, parent, err)
		}
		if validateUnitName(unit) != nil {
			t.Fatalf("Path of %q accepted invalid unit %q", s, unit)
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, tc := range kubeletNames {
		for _, d := range []Driver{DriverSystemd, DriverCgroupfs} {
			if p, err := tc.k.Path(d); err == nil {
				f.Add(p)
			}
		}
	}
	f.Add("/system.slice/kubepods-burstable-pod" + testUIDu + ".slice:cri-containerd:" + testCID)
	f.Add("/docker/" + testCID + "/kubepods/pod" + testUID)
	f.Add("/user.slice/user-1000.slice/session-3.scope")
	f.Add("/machine.slice/libpod-conmon-" + testCID + ".scope")
	f.Fuzz(func(t *testing.T, p string) {
		info := Parse(p)
		if info.PodUID != "" && info.QoS == QoSNone {
			t.Fatalf("Parse(%q) = %+v: pod without QoS", p, info)
		}
		if strings.Contains(info.PodUID, "_") {
			t.Fatalf("Parse(%q) = %+v: pod UID not normalised", p, info)
		}
		if info.Kind == KindContainer && info.ContainerID == "" {
			t.Fatalf("Parse(%q) = %+v: container without an ID", p, info)
		}
		if info.Conmon && info.Runtime != RuntimeCRIO && info.Runtime != RuntimeLibpod {
			t.Fatalf("Parse(%q) = %+v: conmon of a runtime without one", p, info)
		}
		if info.Kind == KindRoot && strings.Trim(p, "/") != "" {
			t.Fatalf("Parse(%q) = %+v: root for a non-root path", p, info)
		}
		if again := Parse("/" + p + "/"); again != info {
			t.Fatalf("Parse(%q) = %+v but with extra slashes %+v", p, info, again)
		}
		k, d, err := parseKubeletCgroup(p)
		if err != nil {
			return
		}
		if rebuilt, err := k.Path(d); err != nil || rebuilt != path.Clean("/"+p) {
			t.Fatalf("ParseKubeletCgroup(%q) = %+v, %s rebuilds as %q, %v", p, k, d, rebuilt, err)
		}
		if info.Driver != d || info.PodUID != k.PodUID || info.QoS != k.QoS || info.ContainerID != k.ContainerID || info.Conmon != k.Conmon {
			t.Fatalf("Parse(%q) = %+v disagrees with ParseKubeletCgroup %+v, %s", p, info, k, d)
		}
	})
}

func FuzzEscape(f *testing.F) {
	var cases escapeCases
	loadJSON(f, "escape_cases.json", &cases)
	for _, list := range [][]escapeCase{cases.Escape, cases.Unescape, cases.PathEscape, cases.PathUnescape} {
		for _, c := range list {
			f.Add(c.In)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := escape(s)
		back, err := unescape(e)
		if err != nil || back != s {
			t.Fatalf("Unescape(Escape(%q)) = %q, %v", s, back, err)
		}
		if s != "" && len(e) < 240 && validateUnitName(e+".service") != nil {
			t.Fatalf("Escape(%q) = %q is not usable in a unit name", s, e)
		}
		ep, err := escapePath(s)
		if err != nil || len(s) >= 4000 {
			return
		}
		up, err := unescapePath(ep)
		if err != nil {
			t.Fatalf("UnescapePath(EscapePath(%q) = %q): %v", s, ep, err)
		}
		if want := path.Clean("/" + s); up != want {
			t.Fatalf("UnescapePath(EscapePath(%q)) = %q, want %q", s, up, want)
		}
	})
}
