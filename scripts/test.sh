#!/usr/bin/env bash
# The README's test command (make test): installs what the tests need, builds, then runs every test with real
# parts inside a private headless desktop (scripts/desktop.sh). Ends with one summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
scripts/deps.sh test
make --no-print-directory build
# The real WhisperLiveKit for the interop test: a cached venv (minutes the first time, under a second after).
TONNYTRAY_WLK_SERVER=$(scripts/wlk-venv.sh | tail -n1)
export TONNYTRAY_WLK_SERVER
scripts/desktop.sh scripts/test-inner.sh
echo "test: total $(( $(date +%s) - start ))s"
