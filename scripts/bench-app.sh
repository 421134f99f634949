#!/usr/bin/env bash
# Starts the production binary in a real window under Xvfb, takes a screenshot, and prints start-up time
# (process start → page loaded, and → first screen with data painted, from the app's own log lines) and idle CPU and RSS of the app and its WebKit
# processes over IDLE_SECONDS (default 60), sampled once the page has settled. Asserts only that the window
# came up and the app exits cleanly on SIGTERM. Run inside scripts/desktop.sh. Usage: scripts/bench-app.sh RESULTS_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-test-results}
idle=${IDLE_SECONDS:-60}
mkdir -p "$out"
log="$out/app-window.log"
t0=$(date +%s%N)
build/bin/tonnytray >"$log" 2>&1 &
pid=$!
trap 'kill -KILL $pid 2>/dev/null || true' EXIT

for ((i = 0; i < 600; i++)); do
  grep -q 'msg="ui ready"' "$log" && break
  kill -0 $pid 2>/dev/null || { echo "bench-app: the app exited before its window was ready:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.1
done
grep -q 'msg="ui ready"' "$log" || { echo "bench-app: no UI within 60 s" >&2; cat "$log" >&2; exit 1; }
t1=$(date +%s%N)
dom_ms=$(grep 'msg="window ready"' "$log" | grep -o 'since_start_ms=[0-9]*' | head -1 | cut -d= -f2)
ready_ms=$(grep 'msg="ui ready"' "$log" | grep -o 'since_start_ms=[0-9]*' | head -1 | cut -d= -f2)
sleep 1 # the window is mapped at DOM ready; give the compositor-less X server a moment to show its last frame
import -window root "$out/window.png"
echo "bench-app: screenshot $out/window.png"

tree() { echo "$pid"; pgrep -P "$pid" || true; for c in $(pgrep -P "$pid" || true); do pgrep -P "$c" || true; done; }
ticks() { local s=0; for p in $(tree); do [ -r /proc/$p/stat ] && s=$((s + $(awk '{print $14 + $15}' /proc/$p/stat))); done; echo $s; }
rss_kb() { local s=0; for p in $(tree); do [ -r /proc/$p/status ] && s=$((s + $(awk '/^VmRSS/ {print $2}' /proc/$p/status))); done; echo $s; }
hz=$(getconf CLK_TCK)
sleep 10 # idle means after the page has loaded and the Dashboard's first system check has run
c0=$(ticks)
sleep "$idle"
c1=$(ticks)
cpu=$(awk -v d=$((c1 - c0)) -v hz="$hz" -v s="$idle" 'BEGIN { printf "%.2f", 100 * d / hz / s }')
app_rss=$(awk '/^VmRSS/ {print $2}' /proc/$pid/status)
echo "bench-app: process start to page loaded ${dom_ms} ms, to first screen with data painted ${ready_ms} ms (in-app); $(( (t1 - t0) / 1000000 )) ms seen by this script (polled every 100 ms)"
echo "bench-app: idle over ${idle}s (from 10 s after the first screen): CPU ${cpu}% of one core (app + WebKit processes); RSS app $((app_rss / 1024)) MiB, with WebKit processes $(( $(rss_kb) / 1024 )) MiB"

kill -TERM $pid
for ((i = 0; i < 150; i++)); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
if kill -0 $pid 2>/dev/null; then echo "bench-app: the app did not exit within 15 s of SIGTERM" >&2; exit 1; fi
wait $pid; rc=$?
[ $rc -eq 0 ] || { echo "bench-app: the app exited with $rc on SIGTERM" >&2; tail -20 "$log" >&2; exit 1; }
trap - EXIT
echo "bench-app: clean exit on SIGTERM"
