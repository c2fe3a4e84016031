#!/usr/bin/env bash
# The project's test suite: formatting, vet, staticcheck, the unit, fixture,
# real-kernel and differential tests, short fuzz runs of every fuzz target,
# and cross-compilation for the platforms a service importing truelimit
# builds on. Needs Go (the module proxy provides the rest); the real-kernel
# tests need root and a writable cgroup v1 hierarchy and skip with a reason
# otherwise. As root on Debian it installs lxcfs, a JVM and Node from apt for
# the LXCFS test and the test of real programs, which then must run.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZTIME=${FUZZTIME:-5s}
STATICCHECK=honnef.co/go/tools/cmd/staticcheck@v0.8.2

step() { printf '\n== %s\n' "$*"; }

step "no binaries among the tracked files"
# Build outputs must not be committed (.gitignore lists them). Fails on an
# ELF, Mach-O (thin or fat) or PE file anywhere, and on a NUL byte in any file
# outside a testdata directory. Reads the magic bytes with bash alone: no
# file(1), no git-lfs.
binaries() {
  local LC_ALL=C f magic rest bad=0
  while IFS= read -r -d '' f; do
    [[ -f $f && ! -L $f ]] || continue # symlinks, submodules, deleted files
    # read -d '' stops at a NUL; none of these magics holds one.
    IFS= read -r -n 4 -d '' magic <"$f" || true
    case $magic in
      $'\x7fELF') echo "$f: ELF binary"; bad=1; continue ;;
      $'\xfe\xed\xfa\xce' | $'\xfe\xed\xfa\xcf' | $'\xce\xfa\xed\xfe' | $'\xcf\xfa\xed\xfe' | $'\xca\xfe\xba\xbe')
        echo "$f: Mach-O binary"; bad=1; continue ;;
      MZ*) echo "$f: PE (Windows) binary"; bad=1; continue ;;
    esac
    case /$f in */testdata/*) continue ;; esac
    # read -d '' succeeds only if it meets a NUL before the end of the file.
    if IFS= read -r -d '' rest <"$f"; then echo "$f: holds a NUL byte"; bad=1; fi
  done < <(git ls-files -z)
  return "$bad"
}
if ! binaries; then
  echo "binary files are tracked: git rm them (build outputs belong in .gitignore)"
  exit 1
fi

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  printf 'gofmt would change:\n%s\n' "$unformatted"
  exit 1
fi

step "layering: internal library packages import no public package of the module"
# The ground floor (parse, readfile, treetest, parsetest, ...) must not point
# up; the test harnesses e2e and cgtest are exempt (oracle is its own module).
module=$(go list -m)
libs=$(go list ./internal/... | grep -v -e "^$module/internal/e2e\(/\|\$\)" -e "^$module/internal/cgtest\$")
upward=$(go list -deps -test -f '{{.ImportPath}}' $libs | grep "^$module/" | grep -v "^$module/internal/" || true)
if [ -n "$upward" ]; then
  printf 'internal library packages import public packages:\n%s\n' "$upward"
  exit 1
fi

step "go vet"
go vet ./...
go vet -tags e2e ./internal/e2e/...
(cd internal/oracle && go vet ./...)
(cd examples/limitexporter && go vet ./...)

step "staticcheck"
go run "$STATICCHECK" ./...
go run "$STATICCHECK" -tags e2e ./internal/e2e/...
(cd internal/oracle && go run "$STATICCHECK" ./...)
(cd examples/limitexporter && go run "$STATICCHECK" ./...)

step "go test ./... (unit, fixture and real-kernel tests)"
# As root on Debian: lxcfs for the LXCFS test, and a JVM and Node for
# cgroupinfo's recipes (TestRealPrograms), installed from apt where missing;
# those tests must then run. Debian 13 has no OpenJDK 17: its default JRE
# then.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  missing=()
  command -v lxcfs >/dev/null || missing+=(lxcfs)
  command -v node >/dev/null || missing+=(nodejs)
  if ! command -v java >/dev/null; then
    missing+=(openjdk-17-jre-headless)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    if [[ " ${missing[*]} " == *" openjdk-17-jre-headless "* ]] && ! apt-cache show openjdk-17-jre-headless >/dev/null 2>&1; then
      missing=("${missing[@]/openjdk-17-jre-headless/default-jre-headless}")
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  export TRUELIMIT_REQUIRE_LXCFS=1 TRUELIMIT_REQUIRE_PROGRAMS=1
fi
go test -count=1 ./...

step "differential tests against other implementations (internal/oracle)"
(cd internal/oracle && go test -count=1 ./...)

step "the Prometheus exporter (examples/limitexporter, a module of its own): collector, promtool, a real Prometheus"
# Debian's prometheus package, unpacked into a cache, never installed
# (scripts/prometheus.sh); the tests that need it must then run.
# systemd-analyze checks the systemd unit: installed from apt where missing.
if command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null; then
  TRUELIMIT_PROMETHEUS=$(bash scripts/prometheus.sh)
  export TRUELIMIT_PROMETHEUS TRUELIMIT_REQUIRE_PROMETHEUS=1
  if [ "$(id -u)" = 0 ] && ! command -v systemd-analyze >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd >/dev/null
  fi
  if command -v systemd-analyze >/dev/null; then
    export TRUELIMIT_REQUIRE_SYSTEMD_ANALYZE=1
  fi
fi
# TRUELIMIT_SCALE: the RSS of 100 scrapes of a 10,004-cgroup node.
(cd examples/limitexporter && TRUELIMIT_SCALE=1 go test -count=1 ./...)

step "fuzz every target for $FUZZTIME"
fuzzlog=$(mktemp)
trap 'rm -f "$fuzzlog"' EXIT
grep -rl --include='*_test.go' '^func Fuzz' . | grep -v '^./internal/oracle/' | sort | while read -r file; do
  pkg=./$(dirname "${file#./}")
  for target in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$file"); do
    echo "-- $pkg $target"
    fuzz() { go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" "$pkg" >"$fuzzlog" 2>&1; }
    # The fuzzer itself sometimes ends with "context deadline exceeded" and no
    # failing input when a worker is slow to stop at the deadline: run once
    # more then; a real failure names its input and fails at once.
    if ! fuzz && ! { grep -q 'context deadline exceeded' "$fuzzlog" && ! grep -q 'Failing input' "$fuzzlog" && fuzz; }; then
      cat "$fuzzlog"
      exit 1
    fi
    tail -n 1 "$fuzzlog"
  done
done

step "import cost of limits/auto (scripts/importcost.sh --check)"
bash scripts/importcost.sh --check

step "cross-compile"
for target in darwin/arm64 darwin/amd64 windows/amd64 freebsd/amd64 linux/arm64 linux/386 linux/arm; do
  echo "-- $target"
  GOOS=${target%/*} GOARCH=${target#*/} go build ./...
  GOOS=${target%/*} GOARCH=${target#*/} go vet ./...
done
echo
echo "all checks passed"
