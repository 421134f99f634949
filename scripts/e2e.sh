#!/usr/bin/env bash
# UI end-to-end test: the real UI with working Go bindings under `wails dev`, driven by Playwright in
# Debian's Chromium. The setup check walks the first-run wizard of the fresh install first. Phase "edit" changes a setting (bad value → field error, fixed → saved) and finds the
# backend's log line in the Logs page; the app is then restarted and phase "verify" checks the setting
# survived; then the family check sets the admin PIN, adds a child, switches down with one click (Settings
# refused) and back up through the PIN pad. Run inside scripts/desktop.sh. Usage: scripts/e2e.sh RESULTS_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-test-results}
mkdir -p "$out"
port=34115
wails=$(go env GOPATH)/bin/wails
devpid=""

start_app() {
  # Its own process group, so stopping it also stops the app binary wails dev spawned.
  setsid "$wails" dev -tags webkit2_41 -s -assetdir frontend/dist -noreload -nogorebuild -nosyncgomod -m \
    -skipbindings -nocolour -loglevel Warning >>"$out/wails-dev.log" 2>&1 &
  devpid=$!
  for ((i = 0; i < 3000; i++)); do # compile included: up to 300 s
    if curl -fsS -o /dev/null "http://localhost:$port/" 2>/dev/null; then echo "e2e: app up after $((i / 10))s"; return 0; fi
    kill -0 "$devpid" 2>/dev/null || { echo "e2e: wails dev exited; log follows" >&2; tail -40 "$out/wails-dev.log" >&2; return 1; }
    sleep 0.1
  done
  echo "e2e: app did not serve on :$port" >&2
  tail -40 "$out/wails-dev.log" >&2
  return 1
}

stop_app() {
  [ -n "$devpid" ] || return 0
  kill -TERM -- "-$devpid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do kill -0 -- "-$devpid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$devpid" 2>/dev/null || true
  wait "$devpid" 2>/dev/null || true
  devpid=""
}
trap stop_app EXIT

start_app
node frontend/e2e/setup.mjs --url "http://localhost:$port" --screenshot-dir "$out"
node frontend/e2e/settings-logs.mjs --url "http://localhost:$port" --phase edit --screenshot-dir "$out"
stop_app
start_app
node frontend/e2e/settings-logs.mjs --url "http://localhost:$port" --phase verify --screenshot-dir "$out"
node frontend/e2e/family.mjs --url "http://localhost:$port" --screenshot-dir "$out"
stop_app
echo "e2e: passed"
