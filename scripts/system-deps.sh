#!/usr/bin/env bash
# Install the system packages lifecircle needs beside Python: fonts and text layout for the
# printed boards (Noto Sans CJK SC, pango), osmium-tool, Node.js/npm for the map library, and — for the
# browser tests only (`system-deps.sh test`) — Debian's headless Chromium.
# As root with apt-get it installs what is missing; otherwise it only checks and says what to do.
set -euo pipefail

# libharfbuzz-subset0: WeasyPrint subsets the CJK font with it in ~0.1 s (fontTools: seconds)
# osmium-tool: `lifecircle areas cut` cuts a big OSM extract into areas with `osmium extract`
packages=(fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig osmium-tool)
command -v npm >/dev/null || packages+=(nodejs npm)
if [[ "${1:-}" == "test" ]]; then
    packages+=(chromium)
fi

missing=()
for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "Installing system packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "lifecircle needs these system packages: ${missing[*]}" >&2
    echo "Install them (e.g. sudo apt-get install ${missing[*]}) and run make again." >&2
    exit 1
fi
