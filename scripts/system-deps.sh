#!/usr/bin/env bash
# Install the Debian packages salesplan's tests and documents need, when running as root on a
# Debian-like system and they are missing. Elsewhere, say what is missing and carry on: tests
# that need a package skip (CI sets SALESPLAN_REQUIRE_POSTGRES=1 so it fails instead).
set -euo pipefail

PACKAGES=(postgresql fonts-noto-cjk poppler-utils libharfbuzz-subset0)

missing=()
for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "note: missing Debian packages (some tests will skip): ${missing[*]}" >&2
    exit 0
fi

echo "installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian package starts a cluster on install; tests start their own throwaway server.
if command -v pg_ctlcluster >/dev/null 2>&1; then
    for cluster in /etc/postgresql/*/main; do
        [ -d "$cluster" ] || continue
        version=$(basename "$(dirname "$cluster")")
        pg_ctlcluster "$version" main stop >/dev/null 2>&1 || true
    done
fi
