#!/usr/bin/env bash
# Install Debian's chromium for the browser test when it is missing and apt is usable.
set -euo pipefail
chromium="${PARTNERNET_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$chromium" ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian's chromium for the browser test"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
else
  echo "note: $chromium not found and apt-get is not usable; the browser test will be skipped" >&2
fi
