#!/usr/bin/env bash
# Every test stage, run inside scripts/desktop.sh. Counts passed and failed tests across Go, Vitest and the UI
# end-to-end run, prints one summary line and exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
out=test-results
rm -rf "$out" && mkdir -p "$out"
export PATH="$(go env GOPATH)/bin:$PATH"
passed=0 failed=0 failures=()
stage() { echo; echo "=== $*"; }
record() { # record NAME PASSED FAILED
  passed=$((passed + $2)); failed=$((failed + $3))
  [ "$3" -eq 0 ] || failures+=("$1")
}

stage "go vet"
if go vet -tags webkit2_41,wlkinterop ./...; then record vet 1 0; else record vet 0 1; fi

stage "go test -race (real SQLite, Secret Service, PulseAudio, X display)"
gotestsum --format pkgname-and-test-fails --jsonfile "$out/go-test.json" -- \
  -race -count=1 -tags webkit2_41 ./...
read -r gp gf < <(python3 scripts/count-go-tests.py "$out/go-test.json")
record "go test" "$gp" "$gf"

stage "real WhisperLiveKit server under our supervisor (interop)"
gotestsum --format pkgname-and-test-fails --jsonfile "$out/go-interop.json" -- \
  -race -count=1 -tags wlkinterop -run Interop ./backend/whisper
read -r ipass ifail < <(python3 scripts/count-go-tests.py "$out/go-interop.json")
[ "$ipass" -gt 0 ] || ifail=$((ifail + 1)) # the interop test must have run
record "interop" "$ipass" "$ifail"

# Bounded by executions, not time: a time budget can end while the engine minimizes a new input, which
# go test then reports as a failure ("context deadline exceeded") although nothing crashed.
stage "fuzzing every parser of outside input (bounded: ${FUZZ_EXECS:=100000} executions each)"
for target in "FuzzParseMessage ./backend/whisper" "FuzzParseTime ./backend/whisper" "FuzzImport ./backend/settings" \
  "FuzzRedactor ./backend/logging" "FuzzParseKey ./backend/secret" "FuzzClassify ./backend/n8n" \
  "FuzzDecide ./backend/pipeline" "FuzzDictate ./backend/pipeline"; do
  set -- $target
  if go test -run '^$' -fuzz "^$1\$" -fuzztime "${FUZZ_EXECS}x" -fuzzminimizetime 1s "$2" >"$out/fuzz-$1.log" 2>&1; then
    record "fuzz $1" 1 0
    echo "ok   $1 ($(grep -o 'execs: [0-9]*' "$out/fuzz-$1.log" | tail -1))"
  else
    record "fuzz $1" 0 1
    echo "FAIL $1"; tail -20 "$out/fuzz-$1.log"
  fi
done

stage "frontend unit tests (vitest)"
(cd frontend && npx vitest run --reporter=default --reporter=json --outputFile="../$out/vitest.json")
read -r vp vf < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); f=d["numFailedTests"]; print(d["numPassedTests"], f if (f or d["success"]) else 1)' "$out/vitest.json" 2>/dev/null || echo "0 1")
record vitest "$vp" "$vf"

stage "UI end-to-end (wails dev + Playwright + Chromium)"
if scripts/e2e.sh "$out"; then record "ui e2e" 1 0; else record "ui e2e" 0 1; fi

stage "app window, start time and idle footprint (production binary under Xvfb)"
if scripts/bench-app.sh "$out"; then record "app window" 1 0; else record "app window" 0 1; fi

stage "desktop end-to-end (production binary: tray host, shortcuts, CLI triggers, start hidden, no display)"
gotestsum --format standard-verbose --jsonfile "$out/go-desktop.json" -- \
  -count=1 -tags desktope2e,webkit2_41 -run TestDesktop . 2>&1 | tee "$out/desktop-e2e.txt" | grep -E '^(=== RUN|--- |\s+desktop_e2e_test|ok|FAIL|PASS)' || true
read -r dpass dfail < <(python3 scripts/count-go-tests.py "$out/go-desktop.json")
[ "$dpass" -gt 0 ] || dfail=$((dfail + 1)) # the desktop tests must have run
record "desktop e2e" "$dpass" "$dfail"

stage "benchmarks (figures, not asserted)"
go test -run '^$' -bench . -benchtime 1s -tags webkit2_41 ./backend/... 2>&1 | tee "$out/bench.txt" | grep -E '^(Benchmark|ok|FAIL|---)' || true

stage "capture soak: ${SOAK_SECONDS:=300} s of microphone capture with every core busy (figures, not asserted)"
TONNYTRAY_DROPS_SECONDS=$SOAK_SECONDS go test -run '^$' -bench 'DropsUnderCPULoad' -benchtime 1x -timeout 15m ./backend/audio 2>&1 |
  tee "$out/soak.txt" | grep -E '^(Benchmark|ok|FAIL)' || true

echo
[ ${#failures[@]} -eq 0 ] || echo "failed stages: ${failures[*]}"
echo "summary: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
