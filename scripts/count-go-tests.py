"""Counts passed and failed Go tests (not packages) in a `go test -json` file; prints "PASSED FAILED"."""
import json
import sys

passed = failed = 0
build_failed = False
with open(sys.argv[1]) as f:
    for line in f:
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        if ev.get("Action") == "fail" and not ev.get("Test"):
            build_failed = True  # a package that failed to build or crashed outside a test
        if not ev.get("Test") or "/" in ev["Test"]:
            continue  # count top-level tests; subtests belong to their parent
        if ev.get("Action") == "pass":
            passed += 1
        elif ev.get("Action") == "fail":
            failed += 1
if build_failed and failed == 0:
    failed = 1
print(passed, failed)
