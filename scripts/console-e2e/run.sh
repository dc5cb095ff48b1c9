#!/usr/bin/env bash
# The staff console and the courier web app in a real browser (Playwright for Python driving Debian's chromium)
# against the real binary: sign in, a chat order appears live on the board, dispatch by clicking, the courier picks
# up and delivers, customer-typed markup stays text, CSRF and role checks hold. Saves screenshots at 1280×800 and
# 390×844 into docs/screenshots/ (CONSOLE_SCREENSHOTS=0 skips writing them).
# Usage: scripts/console-e2e/run.sh [path/to/dropmate]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "${1:-.build/debug/dropmate}")
# Chinese text needs a CJK font, or the screenshots show boxes.
if [ ! -x /usr/bin/chromium ] || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing chromium and fonts-noto-cjk …" >&2
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
venv="${DROPMATE_PLAYWRIGHT_VENV:-$HOME/.cache/dropmate-playwright}"
if ! "$venv/bin/python" -c 'import playwright.sync_api' 2>/dev/null; then
  if ! python3 -c 'import ensurepip' 2>/dev/null; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null
  fi
  python3 -m venv "$venv" >&2
  # The browser comes from Debian (`playwright install` cannot download one here); only the driver from PyPI.
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'playwright==1.65.2' >&2
fi
DROPMATE_BIN="$bin" exec "$venv/bin/python" scripts/console-e2e/run.py
