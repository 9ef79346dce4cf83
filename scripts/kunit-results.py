#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Count the test cases in a kunit.py --json result.

Usage: kunit-results.py JSON [REQUIRED_SUITE...]
Prints "PASSED FAILED SKIPPED" on stdout.  Every leaf test case counts once
(a parameterized case counts once per parameter); skipped cases are not
passed.  A required suite that is missing, skipped or has no passing case
adds a failure.  Problems are explained on stderr.
"""
import json
import sys


def suites(group):
    """Yield every group (suite or parameterized case) of the result tree."""
    yield group
    for sub in group.get('sub_groups', []):
        yield from suites(sub)


def count(group):
    passed = failed = skipped = 0
    for case in group.get('test_cases', []):
        if case['status'] == 'PASS':
            passed += 1
        elif case['status'] == 'SKIP':
            skipped += 1
        else:
            failed += 1
            print(f'  failed: {group["name"]}.{case["name"]} '
                  f'({case["status"]})', file=sys.stderr)
    for sub in group.get('sub_groups', []):
        p, f, s = count(sub)
        passed, failed, skipped = passed + p, failed + f, skipped + s
    return passed, failed, skipped


def main():
    with open(sys.argv[1]) as f:
        result = json.load(f)
    passed, failed, skipped = count(result)
    by_name = {g['name']: g for g in suites(result)}
    for name in sys.argv[2:]:
        g = by_name.get(name)
        p, _, s = count(g) if g else (0, 0, 0)
        if not g or s or not p:
            print(f'  required suite {name}: missing, skipped or empty',
                  file=sys.stderr)
            failed += 1
    print(passed, failed, skipped)


main()
