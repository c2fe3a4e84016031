// Package systemd turns the names systemd, kubelet and container runtimes give
// to cgroups into paths, and paths back into what they say.
//
// It covers:
//   - unit-name escaping as systemd-escape(1) does it (unit_name_escape and
//     unit_name_path_escape in systemd's src/basic/unit-name.c) and unit and
//     slice name validation (unit_name_is_valid, slice_name_is_valid);
//   - slice expansion, where a dash in a slice name is a level of the tree
//     ("a-b-c.slice" lives at /a.slice/a-b.slice/a-b-c.slice, systemd.slice(5)),
//     matching github.com/opencontainers/cgroups/systemd.ExpandSlice case for case;
//   - the OCI runtime spec's linux.cgroupsPath in its systemd form
//     "slice:prefix:name", resolved the way runc resolves it;
//   - the names kubelet and its CRI runtime give pod and container cgroups under
//     the systemd and the cgroupfs cgroup drivers;
//   - Parse, which reads any cgroup path and says what it names: pod, QoS class,
//     container, runtime, and the misconfigured "...slice:cri-containerd:<id>"
//     directory a runtime creates when it takes a systemd cgroupsPath literally.
//
// Everything here is pure: strings in, strings out, no file or D-Bus access, so
// every function is safe for concurrent use. Errors are *NameError values that
// wrap one of the Err* sentinels, so callers can test them with errors.Is.
package systemd
