package systemd

import (
	"strconv"
	"strings"
)

// kubeletCgroup is a pod or container cgroup named the way kubelet and its CRI
// runtime name it. Kubelet keeps cgroup names as a list of components,
// [root..., "kubepods", qos, "pod<uid>"] (the QoS component is left out for
// guaranteed pods), and writes them per cgroup driver (CgroupName.ToCgroupfs
// and ToSystemd in kubelet's pkg/kubelet/cm/cgroup_manager_linux.go):
//
//	cgroupfs: /kubepods/burstable/pod<uid>/<id>
//	systemd:  /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid with _>.slice/cri-containerd-<id>.scope
//
// For the systemd driver kubelet replaces '-' with '_' in each component,
// because '-' separates slice levels. The container level is the runtime's
// choice: a "<prefix>-<id>.scope" unit under systemd, and under cgroupfs the
// bare ID (containerd, Docker) or "crio-<id>" (CRI-O).
type kubeletCgroup struct {
	// Root holds the components of kubelet's --cgroup-root above "kubepods",
	// e.g. ["kubelet"] on kind nodes; empty for the default root "/". Each
	// must be letters, digits, '.' and '-' ('_' would not survive the systemd
	// driver's '-' → '_' escaping), and none may be "kubepods".
	Root []string
	// QoS is the pod's class; required.
	QoS QoS
	// PodUID is the pod's UID as the API server writes it, with dashes.
	PodUID string
	// ContainerID names a container of the pod; empty for the pod's own cgroup.
	ContainerID string
	// Runtime is the container's runtime. The systemd driver needs it to name
	// the scope; with cgroupfs RuntimeUnknown stands for a bare ID.
	Runtime Runtime
	// Conmon selects the cgroup of CRI-O's or Podman's conmon monitor for the
	// container instead of the container's own.
	Conmon bool
}

// Path returns the cgroup path, relative to the hierarchy's root, of k under
// driver d (DriverSystemd or DriverCgroupfs), as described on kubeletCgroup.
// It validates every part first; errors wrap errInvalidKubelet, or
// ErrInvalidName for a container scope systemd would refuse.
func (k kubeletCgroup) Path(d Driver) (string, error) {
	if err := k.validate(d); err != nil {
		return "", err
	}
	var b strings.Builder
	switch d {
	case DriverSystemd:
		var slice strings.Builder
		for _, c := range k.components() {
			if slice.Len() > 0 {
				slice.WriteByte('-')
			}
			slice.WriteString(strings.ReplaceAll(c, "-", "_"))
		}
		slice.WriteString(sliceSuffix)
		dir, err := ExpandSlice(slice.String())
		if err != nil {
			return "", err
		}
		b.WriteString(dir)
		if k.ContainerID != "" {
			prefix, _ := prefixFor(k.Runtime, k.Conmon)
			unit := prefix + k.ContainerID + scopeSuffix
			if err := validateUnitName(unit); err != nil {
				return "", err
			}
			b.WriteString("/" + unit)
		}
	default:
		for _, c := range k.components() {
			b.WriteString("/" + c)
		}
		if k.ContainerID != "" {
			b.WriteString("/" + k.cgroupfsContainerName())
		}
	}
	return b.String(), nil
}

// components returns kubelet's name components for the pod cgroup.
func (k kubeletCgroup) components() []string {
	c := make([]string, 0, len(k.Root)+3)
	c = append(c, k.Root...)
	c = append(c, kubepods)
	if k.QoS != QoSGuaranteed {
		c = append(c, string(k.QoS))
	}
	return append(c, "pod"+k.PodUID)
}

func (k kubeletCgroup) cgroupfsContainerName() string {
	switch k.Runtime {
	case RuntimeCRIO, RuntimeLibpod:
		prefix, _ := prefixFor(k.Runtime, k.Conmon)
		return prefix + k.ContainerID
	}
	return k.ContainerID
}

func (k kubeletCgroup) validate(d Driver) error {
	bad := func(reason string) error {
		return newNameError("pod"+k.PodUID+"/"+k.ContainerID, reason, errInvalidKubelet)
	}
	if d != DriverSystemd && d != DriverCgroupfs {
		return bad("driver must be systemd or cgroupfs, not " + strconv.Quote(string(d)))
	}
	for _, r := range k.Root {
		if !validRootComponent(r) {
			return bad("invalid root component " + strconv.Quote(r))
		}
	}
	switch k.QoS {
	case QoSGuaranteed, QoSBurstable, QoSBestEffort:
	default:
		return bad("unknown QoS class " + strconv.Quote(string(k.QoS)))
	}
	if !validPodUID(k.PodUID, '-') {
		return bad("pod UID must be hex digits and single dashes")
	}
	if k.ContainerID == "" {
		if k.Runtime != RuntimeUnknown || k.Conmon {
			return bad("runtime or conmon given without a container ID")
		}
		return nil
	}
	if !validContainerID(k.ContainerID) {
		return bad("container ID must be letters, digits, '_' and '.', starting with a letter or digit, at most 255 bytes")
	}
	if k.Runtime == RuntimeUnknown {
		if d == DriverSystemd || k.Conmon {
			return bad("the systemd driver and conmon need a known runtime")
		}
		return nil
	}
	if _, ok := prefixFor(k.Runtime, k.Conmon); !ok {
		return bad("runtime " + strconv.Quote(string(k.Runtime)) + " unknown or has no conmon cgroup")
	}
	return nil
}

// validRootComponent reports whether c may be a component of kubelet's
// --cgroup-root in a kubeletCgroup.
func validRootComponent(c string) bool {
	if c == "" || c == "." || c == ".." || c == kubepods {
		return false
	}
	for i := 0; i < len(c); i++ {
		b := c[i]
		if !isAlnum(b) && b != '.' && b != '-' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// validContainerID reports whether id can name a container cgroup under both
// drivers: runtimes use 64 lowercase hex digits; this accepts letters, digits,
// '_' and '.', starting with a letter or digit, up to NAME_MAX bytes.
func validContainerID(id string) bool {
	if id == "" || len(id) > nameMax || !isAlnum(id[0]) {
		return false
	}
	for i := 1; i < len(id); i++ {
		if c := id[i]; !isAlnum(c) && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// parseKubeletCgroup reads a pod or container cgroup path written by kubelet
// and its CRI runtime under either driver, as kubeletCgroup describes, and
// returns it with the driver its form shows. The path may lack its leading
// '/'; repeated and trailing slashes are ignored. It is strict: the path must
// be exactly what kubeletCgroup.Path would write for the result (so a systemd
// pod slice must sit at its expanded location, and nothing may follow the
// container), otherwise the error wraps errInvalidKubelet. Use Parse for a
// lenient reading of any path.
func parseKubeletCgroup(path string) (kubeletCgroup, Driver, error) {
	comps := splitPath(path)
	canonical := "/" + strings.Join(comps, "/")
	bad := func(reason string) (kubeletCgroup, Driver, error) {
		return kubeletCgroup{}, DriverUnknown, newNameError(path, reason, errInvalidKubelet)
	}
	if len(comps) == 0 {
		return bad("empty path")
	}
	var (
		k   kubeletCgroup
		d   Driver
		err error
	)
	last := comps[len(comps)-1]
	if strings.HasSuffix(last, sliceSuffix) || strings.HasSuffix(last, scopeSuffix) {
		d = DriverSystemd
		k, err = parseKubeletSystemd(path, comps)
	} else {
		d = DriverCgroupfs
		k, err = parseKubeletCgroupfs(path, comps)
	}
	if err != nil {
		return kubeletCgroup{}, DriverUnknown, err
	}
	rebuilt, err := k.Path(d)
	if err != nil {
		return kubeletCgroup{}, DriverUnknown, err
	}
	if rebuilt != canonical {
		return bad("not at kubelet's location for this name, want " + rebuilt)
	}
	return k, d, nil
}

func parseKubeletSystemd(path string, comps []string) (kubeletCgroup, error) {
	var k kubeletCgroup
	slice := comps[len(comps)-1]
	if scope, ok := strings.CutSuffix(slice, scopeSuffix); ok {
		if len(comps) < 2 {
			return k, newNameError(path, "container scope without a pod slice", errInvalidKubelet)
		}
		r, id, ok := splitRuntime(scope)
		if !ok {
			return k, newNameError(path, "scope "+strconv.Quote(scope)+" has no known runtime prefix", errInvalidKubelet)
		}
		k.Runtime, k.Conmon, k.ContainerID = r.rt, r.conmon, id
		slice = comps[len(comps)-2]
	}
	base, ok := strings.CutSuffix(slice, sliceSuffix)
	if !ok {
		return k, newNameError(path, "container scope not in a slice", errInvalidKubelet)
	}
	parts := strings.Split(base, "-")
	for i := range parts {
		parts[i] = strings.ReplaceAll(parts[i], "_", "-")
	}
	return k, k.setPodParts(path, parts)
}

func parseKubeletCgroupfs(path string, comps []string) (kubeletCgroup, error) {
	var k kubeletCgroup
	end := len(comps)
	if end < 2 {
		return k, k.setPodParts(path, comps)
	}
	if _, parentIsPod := podUIDFromName(comps[end-2]); parentIsPod {
		name := comps[end-1]
		if r, id, ok := splitRuntime(name); ok && (r.rt == RuntimeCRIO || r.rt == RuntimeLibpod) {
			k.Runtime, k.Conmon, k.ContainerID = r.rt, r.conmon, id
		} else {
			k.ContainerID = name
		}
		end--
	}
	return k, k.setPodParts(path, comps[:end])
}

// setPodParts fills Root, QoS and PodUID from kubelet's name components
// [root..., "kubepods", qos?, "pod<uid>"].
func (k *kubeletCgroup) setPodParts(path string, parts []string) error {
	at := -1
	for i, p := range parts {
		if p == kubepods {
			at = i
			break
		}
	}
	if at < 0 {
		return newNameError(path, `no "kubepods" component`, errInvalidKubelet)
	}
	rest := parts[at+1:]
	if len(rest) == 0 {
		return newNameError(path, "no pod<uid> after kubepods", errInvalidKubelet)
	}
	k.QoS = QoSGuaranteed
	if _, isPod := podUIDFromName(rest[0]); !isPod {
		qos, ok := qosFromName(rest[0])
		switch {
		case !ok && len(rest) == 1:
			return newNameError(path, "invalid pod component "+strconv.Quote(rest[0]), errInvalidKubelet)
		case !ok:
			return newNameError(path, "unknown QoS class "+strconv.Quote(rest[0]), errInvalidKubelet)
		case len(rest) == 1:
			return newNameError(path, "no pod<uid> after the QoS class", errInvalidKubelet)
		}
		k.QoS = qos
		rest = rest[1:]
	}
	uid, ok := podUIDFromName(rest[0])
	if !ok {
		return newNameError(path, "invalid pod component "+strconv.Quote(rest[0]), errInvalidKubelet)
	}
	if len(rest) > 1 {
		return newNameError(path, "unexpected "+strconv.Quote(rest[1])+" after the pod component", errInvalidKubelet)
	}
	k.PodUID = uid
	if at > 0 {
		k.Root = parts[:at]
	}
	return nil
}

// convertKubeletPath rewrites a kubelet pod or container cgroup path (see
// parseKubeletCgroup) for cgroup driver to, e.g.
// "/kubepods/burstable/pod<uid>/<id>" to
// "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid with _>.slice/cri-containerd-<id>.scope"
// with rt RuntimeCRIContainerd. A cgroupfs container directory holding a bare
// ID does not say its runtime, so rt names it; a runtime the path does show
// wins over rt. Errors wrap errInvalidKubelet or ErrInvalidName.
func convertKubeletPath(path string, to Driver, rt Runtime) (string, error) {
	k, _, err := parseKubeletCgroup(path)
	if err != nil {
		return "", err
	}
	if k.ContainerID != "" && k.Runtime == RuntimeUnknown {
		k.Runtime = rt
	}
	return k.Path(to)
}

// splitPath returns the non-empty components of a slash-separated path.
func splitPath(path string) []string {
	comps := make([]string, 0, strings.Count(path, "/")+1)
	for rest := path; rest != ""; {
		var c string
		c, rest, _ = strings.Cut(rest, "/")
		if c != "" {
			comps = append(comps, c)
		}
	}
	return comps
}
