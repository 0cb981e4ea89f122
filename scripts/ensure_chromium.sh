#!/bin/sh
# Make sure a Chromium is installed (idempotent; Debian/Ubuntu): tests/export/test_report.py
# opens the HTML report in it, headless, to check that the plots render.
set -eu
for bin in chromium chromium-browser; do
    if command -v "$bin" >/dev/null 2>&1; then echo "chromium: $(command -v "$bin")"; exit 0; fi
done
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium
echo "chromium: installed $(command -v chromium)"
