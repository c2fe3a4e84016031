//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// vm is what scripts/vm-test.sh prepared, read from TRUELIMIT_VM_*, and the
// static binaries TestMain built.
var vm struct {
	kernels     map[string]string // "6.1" and "6.12" -> vmlinuz
	busybox     string            // a static busybox
	runc        string            // Debian's runc, unpacked
	systemdRoot string            // newc cpio of a debootstrap root with systemd
	runtimeRoot string            // systemdRoot with podman, crun, runc, docker.io, systemd-nspawn
	logs        string            // where serial logs are kept; "" for none
	timingsFile string            // where the boot times are written; "" for none
	bin         string            // vmprobe, vmprobeauto, nsexec and vmhog, static
}

// timings collects one row per boot, written to TRUELIMIT_VM_TIMINGS.
var timings struct {
	sync.Mutex
	rows []string
}

// binaries are the programs built for the VMs, each from
// internal/e2e/cmd/<name> (or the examples' directory, as named in
// packages) into vm.bin/<name>.
var binaries = []string{"vmprobe", "vmprobeauto", "nsexec", "vmhog", "vmwatch", "pressurecache"}

// packages are the binaries that are not in internal/e2e/cmd.
var packages = map[string]string{"pressurecache": "../../examples/pressurecache"}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	missing := []string{}
	need := func(key string) string {
		v := os.Getenv(key)
		if v == "" {
			missing = append(missing, key)
		}
		return v
	}
	vm.kernels = map[string]string{
		"6.1":  need("TRUELIMIT_VM_KERNEL_6_1"),
		"6.12": need("TRUELIMIT_VM_KERNEL_6_12"),
	}
	vm.busybox = need("TRUELIMIT_VM_BUSYBOX")
	vm.runc = need("TRUELIMIT_VM_RUNC")
	vm.systemdRoot = need("TRUELIMIT_VM_SYSTEMD_ROOT")
	vm.runtimeRoot = need("TRUELIMIT_VM_RUNTIME_ROOT")
	vm.logs = os.Getenv("TRUELIMIT_VM_LOGS")
	vm.timingsFile = os.Getenv("TRUELIMIT_VM_TIMINGS")
	if len(missing) > 0 {
		fmt.Fprintf(os.Stderr, "e2e: %s not set: run scripts/vm-test.sh, which prepares the kernels, busybox, runc and the systemd and runtime roots\n", strings.Join(missing, ", "))
		return 2
	}
	dir, err := os.MkdirTemp("", "truelimit-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 2
	}
	defer os.RemoveAll(dir)
	vm.bin = dir
	if err := buildBinaries(dir); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 2
	}
	code := m.Run()
	if vm.timingsFile != "" {
		timings.Lock()
		data := "scenario\tkernel\tattempts\tseconds\n" + strings.Join(timings.rows, "")
		timings.Unlock()
		if err := os.WriteFile(vm.timingsFile, []byte(data), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "e2e:", err)
			return 2
		}
	}
	return code
}

// buildBinaries builds the in-VM programs as static Linux binaries.
func buildBinaries(dir string) error {
	for _, name := range binaries {
		pkg := packages[name]
		if pkg == "" {
			pkg = "./cmd/" + name
		}
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, name), pkg)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", name, err, out)
		}
	}
	return nil
}
