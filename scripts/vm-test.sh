#!/usr/bin/env bash
# The real-kernel VM matrix (issues 5 and 11): boots Debian's cloud kernels
# 6.1 and 6.12 under QEMU (software emulation, no KVM needed) with cgroup v2,
# v1, hybrid, cgroup namespaces, runc, a systemd guest and a systemd guest
# with real container runtimes (podman with crun and runc, docker.io,
# systemd-nspawn), and checks what truelimit reports inside each VM and
# inside each container (go test -tags e2e ./internal/e2e/).
#
# Needs root, Go and Debian's apt. Installs qemu-system-x86, busybox-static,
# cpio and debootstrap; takes the kernels and runc out of their .deb files
# without installing them; builds the systemd guest's root with debootstrap
# once, and the runtime guest's root from it once (chroot apt-get install of
# Debian's podman, crun, runc, docker.io and systemd-container). Everything
# downloaded or built is cached in $TRUELIMIT_VM_CACHE
# (default ${XDG_CACHE_HOME:-$HOME/.cache}/truelimit-vm), so a second run
# only builds the Go binaries and boots the VMs. Arguments are passed to
# go test, e.g. `scripts/vm-test.sh -run 'TestVM/v2'`.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=${TRUELIMIT_VM_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/truelimit-vm}

step() { printf '\n== %s\n' "$*"; }
die() { printf 'vm-test: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (apt-get, debootstrap)"
command -v go >/dev/null || die "needs go in PATH"
command -v apt-get >/dev/null || die "needs Debian's apt"

mkdir -p "$CACHE"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/truelimit-vm.XXXXXX")

# cleanup unmounts whatever debootstrap may have left mounted in WORK (its
# chroot's /proc, /sys or a bind of /dev) before removing it, and never
# crosses into another file system.
cleanup() {
  local mnt
  for mnt in $(awk -v w="$WORK/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r); do
    umount -l "$mnt" || true
  done
  rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

declare -A PHASE_SECONDS
PHASES=()
phase_start() { PHASE=$1; PHASE_T0=$SECONDS; step "$PHASE"; }
phase_end() { PHASES+=("$PHASE"); PHASE_SECONDS[$PHASE]=$((SECONDS - PHASE_T0)); }

# apt_update_once runs apt-get update at most once per run (a marker file,
# since it is also called from command substitutions), only when needed.
apt_update_once() {
  if [ ! -e "$WORK/apt-updated" ]; then
    apt-get update -qq >&2
    touch "$WORK/apt-updated"
  fi
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# install_missing installs the packages that are not installed yet.
install_missing() {
  local missing=() pkg
  for pkg in "$@"; do
    installed "$pkg" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && { echo "already installed: $*"; return; }
  apt_update_once
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "installed: ${missing[*]}"
}

# download PKG fetches PKG's .deb into WORK (without installing it) and
# prints its path; stale package lists get one apt-get update.
download() {
  (cd "$WORK" && apt-get download -qq "$1" >&2 2>/dev/null) ||
    { apt_update_once; (cd "$WORK" && apt-get download -qq "$1" >&2); }
  ls "$WORK/$1"_*.deb
}

# kernel_package META prints the versioned kernel package a meta-package
# depends on today (the ABI number in the name changes over time).
kernel_package() {
  local pkg
  pkg=$(apt-cache depends "$1" 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }')
  if [ -z "$pkg" ]; then
    apt_update_once
    pkg=$(apt-cache depends "$1" | awk '/Depends: linux-image-/ { print $2; exit }')
  fi
  [ -n "$pkg" ] || die "no kernel package behind $1"
  echo "$pkg"
}

# fetch_kernel PKG unpacks PKG's vmlinuz into the cache (never installing the
# package) and prints its path.
fetch_kernel() {
  local pkg=$1 dir=$CACHE/kernels/$1 deb
  if [ ! -s "$dir/vmlinuz" ]; then
    deb=$(download "$pkg")
    mkdir -p "$WORK/$pkg" "$dir"
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$WORK/$pkg" ./boot
    cp "$WORK/$pkg"/boot/vmlinuz-* "$dir/vmlinuz.tmp"
    mv "$dir/vmlinuz.tmp" "$dir/vmlinuz"
    rm -rf "$WORK/$pkg" "$deb"
  fi
  echo "$dir/vmlinuz"
}

# apt_mirror prints the Debian mirror apt uses (deb822 or one-line sources).
apt_mirror() {
  local uri
  uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ && !/security/ { print $2; exit }')
  [ -n "$uri" ] || uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    awk '$1 == "deb" && !/security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }')
  echo "${uri:-http://deb.debian.org/debian}"
}

# build_systemd_root makes the systemd guest's root: a minimal Debian with
# systemd, trimmed of documentation and caches, packed as a newc cpio that
# the tests extend with their probe and units.
build_systemd_root() {
  local out=$1 suite=$2 root=$WORK/sysroot
  debootstrap --variant=minbase --include=systemd,systemd-sysv "$suite" "$root" "$(apt_mirror)" >"$WORK/debootstrap.log" 2>&1 ||
    { tail -n 30 "$WORK/debootstrap.log"; die "debootstrap failed"; }
  rm -rf "$root"/usr/share/{doc,man,info,locale,i18n,lintian,linda} "$root"/var/cache/apt/* \
    "$root"/var/lib/apt/lists/* "$root"/var/cache/debconf/*-old "$root"/var/log/*
  (cd "$root" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) >"$out.tmp"
  mv "$out.tmp" "$out"
  echo "systemd root: $(du -sh "$root" | cut -f1) unpacked, $(du -h "$out" | cut -f1) cpio"
  rm -rf --one-file-system "$root"
}

# RUNTIME_PACKAGES go into the runtime guest; catatonit is what podman
# builds a pod's infra image from when no registry is reachable, dbus is
# how podman and dockerd ask systemd for scopes.
RUNTIME_PACKAGES="podman crun runc catatonit docker.io systemd-container dbus"

# runtime_configs configures the runtimes in the guest root $1 for a VM with
# neither network nor a registry: vfs storage, no bridge or iptables for
# dockerd, logs and events to files; no runtime service starts at boot (the
# scenarios start dockerd when they need it).
runtime_configs() {
  local root=$1
  mkdir -p "$root/etc/containers" "$root/etc/docker"
  cat >"$root/etc/containers/storage.conf" <<'CONF'
[storage]
driver = "vfs"
runroot = "/run/containers/storage"
graphroot = "/var/lib/containers/storage"
CONF
  cat >"$root/etc/containers/containers.conf" <<'CONF'
[containers]
log_driver = "k8s-file"
[engine]
events_logger = "file"
CONF
  cat >"$root/etc/docker/daemon.json" <<'CONF'
{"iptables": false, "ip-masq": false, "bridge": "none", "storage-driver": "vfs"}
CONF
  rm -f "$root"/etc/systemd/system/*.wants/{docker,containerd,podman}*
}

# build_runtime_root makes the runtime guest's root: the cached systemd root
# unpacked, RUNTIME_PACKAGES installed with the host's apt sources (chroot,
# services kept from starting), configured, trimmed of documentation, apt's
# caches and tools no scenario runs (ctr, dnet, ovrouter, the v1 shims, CNI
# plugins: every container runs without network), packed as a newc cpio.
build_runtime_root() {
  local out=$1 systemd_root=$2 root=$WORK/rtroot
  mkdir -p "$root"
  (cd "$root" && cpio -idm --quiet) <"$systemd_root"
  # The host's apt sources and its Acquire settings (a proxy, a snapshot
  # mirror's Check-Valid-Until): the same packages the host's apt sees.
  rm -f "$root/etc/apt/sources.list"
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    if [ -f "$f" ]; then cp "$f" "$root$f"; fi
  done
  for f in $(grep -l '^ *Acquire' /etc/apt/apt.conf /etc/apt/apt.conf.d/* 2>/dev/null); do
    cp "$f" "$root$f"
  done
  cp -L /etc/resolv.conf "$root/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod +x "$root/usr/sbin/policy-rc.d"
  mount -t proc proc "$root/proc"
  if ! { chroot "$root" apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -qq --no-install-recommends $RUNTIME_PACKAGES; } >"$WORK/runtime-install.log" 2>&1; then
    umount "$root/proc"
    tail -n 30 "$WORK/runtime-install.log"
    die "installing the runtimes into the guest root failed"
  fi
  umount "$root/proc"
  chroot "$root" dpkg-query -W $RUNTIME_PACKAGES containerd conmon >"$out.versions"
  runtime_configs "$root"
  rm -f "$root/usr/sbin/policy-rc.d" "$root/etc/resolv.conf"
  rm -rf "$root"/usr/share/{doc,man,info,locale,i18n,lintian,linda} "$root"/var/cache/apt/* \
    "$root"/var/lib/apt/lists/* "$root"/var/cache/debconf/*-old "$root"/var/log/* \
    "$root"/usr/bin/{ctr,dnet,containerd-shim,containerd-shim-runc-v1} "$root/usr/sbin/ovrouter" "$root/usr/lib/podman/rootlessport"
  find "$root/usr/lib/cni" -type f ! -name loopback -delete
  (cd "$root" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) >"$out.tmp"
  mv "$out.tmp" "$out"
  echo "runtime root: $(du -sh "$root" | cut -f1) unpacked, $(du -h "$out" | cut -f1) cpio"
  rm -rf --one-file-system "$root"
}

phase_start "packages (qemu-system-x86, busybox-static, cpio, debootstrap, libseccomp2)"
install_missing qemu-system-x86 busybox-static cpio debootstrap libseccomp2
phase_end

phase_start "kernels (Debian cloud kernels, unpacked, not installed)"
K61_PKG=$(kernel_package linux-image-cloud-amd64)
K612_PKG=$(kernel_package linux-image-6.12-cloud-amd64)
K61=$(fetch_kernel "$K61_PKG")
K612=$(fetch_kernel "$K612_PKG")
for old in "$CACHE"/kernels/*; do
  case ${old##*/} in "$K61_PKG" | "$K612_PKG") ;; *) rm -rf "$old" ;; esac
done
echo "6.1: $K61_PKG"
echo "6.12: $K612_PKG"
phase_end

phase_start "runc (Debian's package, unpacked, not installed)"
RUNC=$CACHE/runc/usr/sbin/runc
if [ ! -x "$RUNC" ]; then
  deb=$(download runc)
  rm -rf "$CACHE/runc.tmp"
  dpkg-deb -x "$deb" "$CACHE/runc.tmp"
  rm -rf "$CACHE/runc"
  mv "$CACHE/runc.tmp" "$CACHE/runc"
  rm -f "$deb"
fi
"$RUNC" --version | head -n 1
phase_end

phase_start "systemd guest root (debootstrap, once)"
SUITE=$(. /etc/os-release && echo "$VERSION_CODENAME")
SYSTEMD_ROOT=$CACHE/systemd-root-$SUITE.cpio
if [ ! -s "$SYSTEMD_ROOT" ]; then
  build_systemd_root "$SYSTEMD_ROOT" "$SUITE"
else
  echo "cached: $SYSTEMD_ROOT ($(du -h "$SYSTEMD_ROOT" | cut -f1))"
fi
phase_end

phase_start "runtime guest root (podman, crun, runc, docker.io, systemd-nspawn; once)"
# The key changes whenever the package list or the way the root is built
# does, so an edited recipe never boots a stale root.
RUNTIME_KEY=$({ echo "$RUNTIME_PACKAGES"; declare -f runtime_configs build_runtime_root; } | sha256sum | cut -c1-12)
RUNTIME_ROOT=$CACHE/runtime-root-$SUITE-$RUNTIME_KEY.cpio
if [ ! -s "$RUNTIME_ROOT" ]; then
  build_runtime_root "$RUNTIME_ROOT" "$SYSTEMD_ROOT"
else
  echo "cached: $RUNTIME_ROOT ($(du -h "$RUNTIME_ROOT" | cut -f1))"
fi
for old in "$CACHE"/runtime-root-*.cpio; do
  [ "$old" = "$RUNTIME_ROOT" ] || rm -f "$old" "$old.versions"
done
column -t "$RUNTIME_ROOT.versions" 2>/dev/null || cat "$RUNTIME_ROOT.versions"
phase_end

phase_start "go vet -tags e2e"
go vet -tags e2e ./internal/e2e/...
phase_end

phase_start "boot the matrix (go test -tags e2e ./internal/e2e/)"
rm -rf "$CACHE/logs"
status=0
TRUELIMIT_VM_KERNEL_6_1=$K61 \
  TRUELIMIT_VM_KERNEL_6_12=$K612 \
  TRUELIMIT_VM_BUSYBOX=/bin/busybox \
  TRUELIMIT_VM_RUNC=$RUNC \
  TRUELIMIT_VM_SYSTEMD_ROOT=$SYSTEMD_ROOT \
  TRUELIMIT_VM_RUNTIME_ROOT=$RUNTIME_ROOT \
  TRUELIMIT_VM_TIMINGS=$WORK/timings.tsv \
  TRUELIMIT_VM_LOGS=$CACHE/logs \
  go test -tags e2e -count=1 -timeout 90m -v ./internal/e2e/ "$@" || status=$?
phase_end

step "boot times (seconds from QEMU start to power-off)"
if [ -s "$WORK/timings.tsv" ]; then
  awk -F'\t' '{ printf "%-28s %-6s %-9s %s\n", $1, $2, $3, $4 }' "$WORK/timings.tsv"
fi
step "phases (seconds)"
for p in "${PHASES[@]}"; do
  printf '%5d  %s\n' "${PHASE_SECONDS[$p]}" "$p"
done
printf '%5d  total\n' "$SECONDS"
exit "$status"
