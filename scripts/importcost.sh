#!/usr/bin/env bash
# Measures what `import _ "github.com/truelimit/truelimit/limits/auto"` costs a
# program: binary growth and modules linked, on a fmt.Println hello-world and on
# one that already logs with log/slog, next to go.uber.org/automaxprocs and
# github.com/KimMachineGun/automemlimit measured the same way: file sizes of a
# default `go build` and of one without DWARF (`-ldflags=-w`, what many
# release builds ship). With --check it fails when, on a default build, the
# blank import grows the hello-world by more than MAX_GROWTH bytes (1.0 MB) or
# the slog hello-world by more than MAX_SLOG_GROWTH bytes (0.35 MB); when it
# links a module other than golang.org/x/sys; or when the setters-only binary
# holds what only the public detections need (package systemd, the
# diagnostics) or golang.org/x/sys/unix, whose constants alone would add
# about 100 KB of DWARF.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
MAX_GROWTH=${MAX_GROWTH:-1000000}
MAX_SLOG_GROWTH=${MAX_SLOG_GROWTH:-350000}
. "$repo/scripts/variants.sh"

size() { stat -c %s "$work/bin/$1"; }
stripped() { stat -c %s "$work/bin/$1.w"; }
modules() { go version -m "$work/bin/$1" | awk '$1 == "dep" {print $2}' | tr '\n' ' '; }

printf '%-22s %12s %12s %14s %12s  %s\n' program bytes growth "bytes(-w)" "growth(-w)" modules
for v in $variants; do
  base=hello
  case $v in slog*) base=slog ;; esac
  printf '%-22s %12d %12d %14d %12d  %s\n' "$v" "$(size "$v")" "$(( $(size "$v") - $(size "$base") ))" \
    "$(stripped "$v")" "$(( $(stripped "$v") - $(stripped "$base") ))" "$(modules "$v")"
done

[ "${1:-}" = "--check" ] || exit 0
fail=0
growth=$(( $(size hello-truelimit) - $(size hello) ))
slog_growth=$(( $(size slog-truelimit) - $(size slog) ))
if (( growth > MAX_GROWTH )); then
  echo "FAIL: limits/auto grows hello-world by $growth bytes (bound $MAX_GROWTH)"; fail=1
fi
if (( slog_growth > MAX_SLOG_GROWTH )); then
  echo "FAIL: limits/auto grows the slog hello-world by $slog_growth bytes (bound $MAX_SLOG_GROWTH)"; fail=1
fi
unwanted=$(go tool nm "$work/bin/hello-truelimit" | awk '{print $NF}' |
  grep -E '^github.com/truelimit/truelimit/systemd\.|fullDetails|^golang.org/x/sys/unix\.' | head -5 || true)
if [ -n "$unwanted" ]; then
  echo "FAIL: the setters-only binary links code only the public detections need: $unwanted"; fail=1
fi
extra=$(modules hello-truelimit | tr ' ' '\n' | grep -v -e '^$' -e '^golang.org/x/sys$' -e '^github.com/truelimit/truelimit$' || true)
if [ -n "$extra" ]; then
  echo "FAIL: limits/auto links modules beyond golang.org/x/sys: $extra"; fail=1
fi
exit $fail
