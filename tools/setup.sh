#!/usr/bin/env bash
# Installs exactly the Debian 12 packages redress needs to build, test and
# benchmark. Idempotent: when everything is present it only runs dpkg-query.
#
#   tools/setup.sh            build + test dependencies
#   tools/setup.sh --bench    also the benchmark extras
#
# Must run as root on a fresh machine (it calls apt-get); as another user it
# only reports what is missing.
set -euo pipefail

packages=(
  g++ cmake make pkg-config python3 git
  libboost1.81-dev libboost-date-time1.81-dev libboost-json1.81-dev
  libfmt-dev doctest-dev libsqlite3-dev libbenchmark-dev
  # The PostgreSQL store links libpq; its tests start a throwaway server.
  libpq-dev postgresql
  # libsodium: the stores encrypt personal data and hash contact points;
  # policies' content hashes (crypto_generichash).
  libsodium-dev
  # The report test renders the HTML report in headless Chromium, with a CJK font.
  chromium fonts-wqy-microhei
  # Time zones with daylight saving: Howard Hinnant's date/tz over the system's tzdata.
  libhowardhinnant-date-dev tzdata
  # The pip-install test builds the Python package in a venv, offline.
  python3-venv python3-setuptools
  # The schema test validates documents against docs/schema/ (draft 2020-12).
  python3-jsonschema
  # The fresh-machine check (tools/fresh-machine.sh) and the .deb test build a Debian root.
  mmdebstrap
  # The fuzz targets (tools/fuzz.sh, tests/fuzz/): clang with libFuzzer and the sanitizers' runtimes.
  clang-14 libclang-rt-14-dev
  # cpack -G DEB computes the package's shared-library dependencies with
  # dpkg-shlibdeps, and finds the binaries to ask about with file(1).
  dpkg-dev file
)
if [ "${1:-}" = --bench ]; then
  # Hyperscan is only a yardstick for the lint benchmark; the library never needs it.
  packages+=(libhyperscan-dev)
fi
# Never libboost-all-dev or any 1.74 -dev package: installing either removes
# Boost 1.81 or breaks find_package(Boost 1.81 CONFIG).

# A package counts as present only when dpkg says its status is "installed":
# dpkg-query -W also answers for packages it merely knows the name of (status
# not-installed or config-files), e.g. once Boost 1.81's Conflicts are recorded.
installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]
}

# Boost 1.74 -dev packages shadow Boost 1.81's CMake files. Only installed ones count.
boost174_guard() {
  local bad
  bad=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' 'libboost*1.74-dev' 2>/dev/null |
        awk '$2 == "installed" { print $1 }' | tr '\n' ' ')
  if [ -n "$bad" ]; then
    echo "setup: Boost 1.74 -dev packages are installed ($bad); remove them, they shadow Boost 1.81" >&2
    exit 1
  fi
}

missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  boost174_guard
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing packages (run as root to install): ${missing[*]}" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
boost174_guard
