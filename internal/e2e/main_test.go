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
	bin         string            // vmprobe, vmprobeauto, vmscan, nsexec and vmhog, static
}

// timings collects one row per boot, written to TRUELIMIT_VM_TIMINGS.
var timings struct {
	sync.Mutex
	rows []string
}

// binaries are the programs built for the VMs, each from
// internal/e2e/cmd/<name> (or the examples' directory, as named in
// packages) into vm.bin/<name>.
var binaries = []string{"vmprobe", "vmprobeauto", "vmscan", "nsexec", "vmhog", "vmwatch", "pressurecache"}

// packages are the binaries that are not in internal/e2e/cmd.
var packages = map[string]string{"pressurecache": "../../examples/pressurecache"}

// go124Binaries are built a second time, into vm.bin/<name>-go124, with the
// main module's go line at 1.24: the defaults such a module gets,
// containermaxprocs=0 and updatemaxprocs=0 in the binary's DefaultGODEBUG.
var go124Binaries = []string{"vmprobe", "vmprobeauto"}

// godebugBinaries are vmprobeauto built with each //go:debug directive of
// its own (-tags godebug_<setting>), into vm.bin/vmprobeauto-<setting>.
var godebugBinaries = []string{"containermaxprocs", "updatemaxprocs"}

// limitsTest is the limits package's test binary in vm.bin, put only in the
// usage scenario's image, whose benchmarks it runs on a real cgroup2.
const limitsTest = "limits.test"

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

// buildBinaries builds the in-VM programs as static Linux binaries, the
// go124Binaries with a copy of go.mod whose go line says 1.24 (go build
// -modfile; a go.sum beside it, as -modfile wants), the godebugBinaries and
// limitsTest.
func buildBinaries(dir string) error {
	goBuild := func(out, verb, pkg string, flags ...string) error {
		args := append([]string{verb, "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, out)}, flags...)
		cmd := exec.Command("go", append(args, pkg)...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
		if msg, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go %s %s: %v\n%s", verb, out, err, msg)
		}
		return nil
	}
	build := func(out, name string, flags ...string) error {
		pkg := packages[name]
		if pkg == "" {
			pkg = "./cmd/" + name
		}
		return goBuild(out, "build", pkg, flags...)
	}
	if err := goBuild(limitsTest, "test", "../../limits", "-c"); err != nil {
		return err
	}
	for _, name := range binaries {
		if err := build(name, name); err != nil {
			return err
		}
	}
	mod, err := exec.Command("go", "mod", "edit", "-go=1.24", "-print").Output()
	if err != nil {
		return fmt.Errorf("go mod edit -go=1.24: %v", err)
	}
	sum, err := os.ReadFile("../../go.sum")
	if err != nil {
		return err
	}
	modfile := filepath.Join(dir, "go124.mod")
	if err := os.WriteFile(modfile, mod, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "go124.sum"), sum, 0o644); err != nil {
		return err
	}
	for _, name := range go124Binaries {
		if err := build(name+"-go124", name, "-modfile="+modfile); err != nil {
			return err
		}
	}
	for _, setting := range godebugBinaries {
		if err := build("vmprobeauto-"+setting, "vmprobeauto", "-tags", "godebug_"+setting); err != nil {
			return err
		}
	}
	return nil
}
