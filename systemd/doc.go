// Package systemd turns the names systemd, kubelet and container runtimes give
// to cgroups into paths, and paths back into what they say.
//
// It covers:
//   - slice expansion, where a dash in a slice name is a level of the tree
//     ("a-b-c.slice" lives at /a.slice/a-b.slice/a-b-c.slice, systemd.slice(5)),
//     matching github.com/opencontainers/cgroups/systemd.ExpandSlice case for case;
//   - the OCI runtime spec's linux.cgroupsPath in its systemd form
//     "slice:prefix:name", resolved the way runc resolves it, with the unit
//     checked the way systemd checks unit and slice names (unit_name_is_valid,
//     slice_name_is_valid in systemd's src/basic/unit-name.c);
//   - Parse, which reads any cgroup path and says what it names: pod UID, QoS
//     class, container ID and runtime under kubelet's systemd and cgroupfs
//     cgroup drivers, and the misconfigured "...slice:cri-containerd:<id>"
//     directory a runtime creates when it takes a systemd cgroupsPath literally.
//
// Everything here is pure: strings in, strings out, no file or D-Bus access, so
// every function is safe for concurrent use. Errors are *NameError values that
// wrap one of the ErrInvalid* sentinels, so callers can test them with
// errors.Is.
package systemd
