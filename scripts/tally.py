#!/usr/bin/env python3
"""Print one closing line for all meson test runs: 'N passed, N failed'.

Reads each build folder's meson-logs/testlog.json (one JSON object per
test) and counts the Check test cases each suite reported in TAP, so the
line counts test cases, not executables.
"""
import json
import re
import sys


def count(build):
    passed = failed = 0
    with open(f"{build}/meson-logs/testlog.json", encoding="utf-8") as f:
        for line in f:
            t = json.loads(line)
            out = t.get("stdout") or ""
            oks = len(re.findall(r"^ok ", out, re.M))
            # "not ok ... # TODO": an expected failure (TAP), not a failure
            bad = len(re.findall(r"^not ok (?!.*# TODO)", out, re.M))
            if oks + bad == 0:  # not a TAP suite: count the test itself
                oks, bad = (1, 0) if t.get("result") == "OK" else (0, 1)
            elif t.get("result") not in ("OK", "EXPECTEDFAIL") and bad == 0:
                bad = 1
            passed += oks
            failed += bad
    return passed, failed


def main():
    passed = failed = 0
    for build in sys.argv[1:]:
        p, f = count(build)
        passed += p
        failed += f
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
