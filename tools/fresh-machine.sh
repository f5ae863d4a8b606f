#!/usr/bin/env bash
# The fresh-machine check: what a newcomer does, on a Debian 12 machine that
# has g++ and cmake and nothing else.
#
#   1. builds a minimal Debian 12 root with mmdebstrap (g++, cmake, nothing else);
#   2. copies a clean clone of this checkout's HEAD into it;
#   3. runs exactly the README's two commands in README order inside it
#      (chroot, with /proc, /sys, /dev, /dev/shm mounted), then both again:
#      the second test run must run as many tests as the first;
#   4. packs the build with `cpack -G DEB`, installs the .deb into a second
#      fresh root with `apt-get install ./redress_*.deb` (which must pull in
#      its dependencies by itself), builds a find_package(redress) consumer
#      and a pkg-config C consumer against it, and runs `redress demo`.
#
# Prints the time of each command and the number of tests run; exits non-zero
# on any failure. Needs root and, from the host, only mmdebstrap (installed
# here when missing) and the network to Debian's mirror.
#
#   tools/fresh-machine.sh              everything above
#   tools/fresh-machine.sh --keep       leave the roots in $REDRESS_FRESH_DIR
#
# REDRESS_FRESH_DIR (default /var/tmp/redress-fresh) holds the roots;
# REDRESS_DEBIAN_MIRROR (default http://deb.debian.org/debian) the mirror.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
keep=false
[ "${1:-}" = --keep ] && keep=true
if [ "$(id -u)" -ne 0 ]; then
  echo "fresh-machine: must run as root (mmdebstrap and chroot)" >&2
  exit 2
fi
work=${REDRESS_FRESH_DIR:-/var/tmp/redress-fresh}
mirror=${REDRESS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${mirror%/debian}/debian-security

if ! command -v mmdebstrap >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
fi

mounted=()
cleanup() {
  local m
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    m=${mounted[i]}
    umount -l "$m" 2>/dev/null || true
  done
  if ! $keep; then rm -rf "$work"; fi
}
trap cleanup EXIT
rm -rf "$work"
mkdir -p "$work"

seconds() { date +%s; }
report=()
note() { report+=("$1"); echo "fresh-machine: $1"; }

# A root as a new machine has it: Debian 12, g++ and cmake, nothing else.
t0=$(seconds)
mmdebstrap --quiet --variant=minbase --include=g++,cmake,ca-certificates bookworm "$work/base.tar" \
  "deb $mirror bookworm main" "deb $mirror bookworm-updates main" "deb $security bookworm-security main"
note "debian root built in $(($(seconds) - t0)) s"

# new_root DIR: a fresh copy of the base root, ready to chroot into.
new_root() {
  local root=$1
  mkdir -p "$root"
  tar -C "$root" -xf "$work/base.tar"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  mount -t proc proc "$root/proc" && mounted+=("$root/proc")
  mount --rbind /sys "$root/sys" && mounted+=("$root/sys")
  mount --rbind /dev "$root/dev" && mounted+=("$root/dev")
  mkdir -p "$root/dev/shm"
  mount -t tmpfs -o mode=1777 shm "$root/dev/shm" && mounted+=("$root/dev/shm")
}
in_root() {  # in_root ROOT COMMAND...: as root, with a login-like environment
  local root=$1; shift
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 TERM=dumb "$@"
}

root=$work/machine
new_root "$root"
git clone --quiet --no-hardlinks "$here" "$root/root/redress"
# CI clones with ../shared beside the project; so does this.
[ -d "$here/../shared" ] && cp -r "$here/../shared" "$root/root/shared"

# run LABEL COMMAND: a README command inside the root, timed; its output kept.
run() {
  local label=$1 cmd=$2 t rc=0
  t=$(seconds)
  in_root "$root" bash -c "cd /root/redress && $cmd" > "$work/$label.log" 2>&1 || rc=$?
  note "$label: \`$cmd\` exited $rc in $(($(seconds) - t)) s"
  if [ "$rc" -ne 0 ]; then
    tail -n 60 "$work/$label.log" >&2
    exit 1
  fi
}
tests_ran() { sed -n 's/^test.sh: \([0-9]*\) tests ran.*/\1/p' "$work/$1.log" | tail -1; }

run demo-1 "bash tools/demo.sh"
grep -q 'expectations met' "$work/demo-1.log"
run test-1 "bash tools/test.sh"
first=$(tests_ran test-1)
run demo-2 "bash tools/demo.sh"
grep -q 'expectations met' "$work/demo-2.log"
run test-2 "bash tools/test.sh"
second=$(tests_ran test-2)
note "tests run: first $first, second $second"
if [ -z "$first" ] || [ "$first" -eq 0 ] || [ "$first" != "$second" ]; then
  echo "fresh-machine: the two test runs ran ${first:-no} and ${second:-no} tests" >&2
  exit 1
fi

# The Debian package, from the build the README's test command made.
t=$(seconds)
in_root "$root" bash -c "cd /root/redress/build && cpack -G DEB" > "$work/cpack.log" 2>&1 ||
  { tail -n 40 "$work/cpack.log" >&2; exit 1; }
deb=$(find "$root/root/redress/build" -maxdepth 1 -name 'redress_*_amd64.deb' | head -1)
[ -n "$deb" ] || { echo "fresh-machine: cpack made no redress_*_amd64.deb" >&2; exit 1; }
note "$(basename "$deb"): $(du -k "$deb" | cut -f1) KiB, packed in $(($(seconds) - t)) s"

# Installed into a second fresh root, it pulls in its own dependencies.
pkgroot=$work/package
new_root "$pkgroot"
mkdir -p "$pkgroot/root/consumer"
cp "$deb" "$pkgroot/root/"
cp -r "$here/tests/package" "$pkgroot/root/consumer/cxx"
cp -r "$here/tests/c/package" "$pkgroot/root/consumer/c"
t=$(seconds)
in_root "$pkgroot" bash -c "export DEBIAN_FRONTEND=noninteractive && apt-get update -qq &&
  apt-get install -y -qq --no-install-recommends /root/$(basename "$deb") &&
  apt-get install -y -qq --no-install-recommends make pkg-config" \
  > "$work/deb-install.log" 2>&1 || { tail -n 40 "$work/deb-install.log" >&2; exit 1; }
note "apt-get install ./$(basename "$deb") with its dependencies in $(($(seconds) - t)) s"
# The consumer brings its own build tools (make, pkg-config); the package
# brings everything else. One command per line, so `bash -e` stops at any.
in_root "$pkgroot" bash -euxc '
  cd /root/consumer
  cmake -S cxx -B cxx-build
  cmake --build cxx-build
  ./cxx-build/redress_consumer
  cflags=$(pkg-config --cflags --libs redress-c)
  cc -std=c99 -Wall -Wextra -pedantic -Werror -o c-consumer c/main.c $cflags
  ./c-consumer
  cd /tmp
  redress demo > demo.out
  grep -q "expectations met" demo.out
  redress replay --check /usr/share/redress/scenarios/tv-three-calls.json
' > "$work/deb-use.log" 2>&1 || { tail -n 40 "$work/deb-use.log" >&2; exit 1; }
note "the .deb: find_package and pkg-config consumers built and ran, redress demo ran"

echo
echo "fresh-machine: passed"
printf '  %s\n' "${report[@]}"
