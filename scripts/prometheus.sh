#!/usr/bin/env bash
# Fetches Debian's prometheus package (the server and promtool) and unpacks it
# into a cache, never installing it: no daemon, no user, no service. Prints
# the directory that holds usr/bin/prometheus and usr/bin/promtool. The
# exporter's tests (examples/limitexporter) find them through
# $TRUELIMIT_PROMETHEUS, which scripts/test.sh sets to this directory.
# Cached in $TRUELIMIT_PROMETHEUS_CACHE (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/truelimit-prometheus).
set -euo pipefail

CACHE=${TRUELIMIT_PROMETHEUS_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/truelimit-prometheus}
DIR=$CACHE/root
if [ -x "$DIR/usr/bin/prometheus" ] && [ -x "$DIR/usr/bin/promtool" ]; then
  echo "$DIR"
  exit 0
fi
mkdir -p "$CACHE"
WORK=$(mktemp -d "$CACHE/fetch.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# apt-get download needs the package lists; a fresh machine has none.
(cd "$WORK" && apt-get download -qq prometheus >&2 2>/dev/null) ||
  { apt-get update -qq >&2; (cd "$WORK" && apt-get download -qq prometheus >&2); }
dpkg-deb -x "$WORK"/prometheus_*.deb "$WORK/root"
rm -rf "$DIR"
mv "$WORK/root" "$DIR"
echo "$DIR"
