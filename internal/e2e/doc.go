// Package e2e holds the real-kernel VM matrix of issue 5: tests, behind the
// build tag e2e, that boot Debian's cloud kernels under QEMU with cgroup v2,
// v1, hybrid layouts, cgroup namespaces, runc and a systemd guest, run the
// probe program (cmd/vmprobe) inside each VM and assert what package limits
// reports there.
//
// The everyday `go test ./...` builds none of it. Run the matrix with
// scripts/vm-test.sh, which installs QEMU, busybox-static, the kernels, runc
// and a debootstrap root from Debian's apt, then runs
//
//	go test -tags e2e -count=1 -timeout 40m ./internal/e2e/
//
// with the TRUELIMIT_VM_* variables pointing at them.
package e2e
