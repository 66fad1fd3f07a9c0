#!/usr/bin/env bash
# scripts/system-deps.sh — installs the Debian packages the test suite needs (listed, one per line,
# in scripts/system-packages.txt beside this file). `make test` runs it first, and so does CI through
# `make test`: a newcomer and CI take one path.
#
#   bash scripts/system-deps.sh          # install what is missing (as root), or say what to run
#   bash scripts/system-deps.sh --check  # only report; exit 1 when something is missing
#
# Idempotent and quiet when everything is present. Without root (or without apt-get) it installs
# nothing and stops with the one command to run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
list="$here/system-packages.txt"

pkgs=$(sed -e 's/#.*//' "$list" | xargs || true)
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
missing="${missing# }"
[ -z "$missing" ] && exit 0

cmd="apt-get update && apt-get install -y --no-install-recommends $missing"
if [ "${1:-}" = "--check" ]; then
  echo "system-deps: missing Debian packages: $missing (install: sudo sh -c '$cmd')" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: the tests need these Debian packages: $missing" >&2
  echo "system-deps: run this once, then make test again:  sudo sh -c '$cmd'" >&2
  exit 1
fi
echo "system-deps: installing $missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
