#!/usr/bin/env bash
# Install what mailbundle and its tests need on Debian 12 or Ubuntu 22.04+:
# Debian packages (run as root, or with sudo), then a virtual environment in .venv.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# What each package is for:
# - poppler-utils: pdftotext, pdffonts and pdftoppm, which check the PDFs.
# - fonts-noto-cjk: Japanese glyphs for --lang ja, with a bold face for headings.
# - fonts-ipafont-gothic: Japanese glyphs for the charts.
# - libpango and libharfbuzz-subset0: WeasyPrint's text layout and font subsetting.
# - pflogsumm: the peer whose totals the tests compare with.
packages=(python3-venv poppler-utils fonts-noto-cjk fonts-ipafont-gothic
          fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
          pflogsumm)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" \
    || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
