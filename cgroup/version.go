package cgroup

// Version is the cgroup version of a hierarchy (Documentation/admin-guide/
// cgroup-v1/cgroups.rst, cgroup-v2.rst): which interface files its
// directories hold, so which of packages v1 and v2 parses them.
type Version uint8

// The versions. The zero Version is neither: no hierarchy.
const (
	V1 Version = 1 // a cgroup v1 hierarchy, mounted with fstype "cgroup"
	V2 Version = 2 // the unified hierarchy, mounted with fstype "cgroup2"
)

// String returns "v1" or "v2", and "none" for any other value.
func (v Version) String() string {
	switch v {
	case V1:
		return "v1"
	case V2:
		return "v2"
	}
	return "none"
}
