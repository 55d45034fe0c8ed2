#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Counts individual TAP test cases in meson's testlog.json files.

A test program that crashed or timed out before reporting all its planned
cases counts its missing cases (at least one) as failed. The last line printed
is "N passed, N failed" (skips are reported on the line before). Exits 1 when
anything failed or no case ran."""
import json
import re
import sys

OK = re.compile(r'^(not ok|ok)\b(.*)$')
PLAN = re.compile(r'^1\.\.(\d+)')

def count(path):
    passed = failed = skipped = 0
    failures = []
    with open(path, encoding='utf-8', errors='replace') as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            entry = json.loads(line)
            out = entry.get('stdout') or ''
            seen = plan = 0
            p = fl = 0
            for l in out.splitlines():
                m = OK.match(l.strip())
                if m:
                    seen += 1
                    rest = m.group(2)
                    if '# SKIP' in rest.upper():
                        skipped += 1
                    elif m.group(1) == 'ok':
                        p += 1
                    else:
                        fl += 1
                        failures.append('%s: %s' % (entry.get('name'), l.strip()))
                    continue
                m = PLAN.match(l.strip())
                if m:
                    plan = int(m.group(1))
            missing = max(plan - seen, 0)
            result = entry.get('result')
            bad = result not in ('OK', 'SKIP', 'EXPECTEDFAIL')
            if seen == 0 and not bad:
                # A program that reported no case at all (skipped as a whole, or printed
                # no TAP): count it as one skipped case so it never vanishes from the totals.
                skipped += 1
                failures.append('%s: reported no test case (%s), counted as skipped' % (entry.get('name'), result))
            if bad and fl == 0 and missing == 0:
                missing = 1
            if missing:
                failures.append('%s: %d case(s) did not report (%s)' % (entry.get('name'), missing, entry.get('result')))
            passed += p
            failed += fl + missing
    return passed, failed, skipped, failures

def main(paths):
    tp = tf = ts = 0
    for path in paths:
        p, f, s, failures = count(path)
        print('%s: %d passed, %d failed, %d skipped' % (path, p, f, s))
        for x in failures:
            print('  FAILED ' + x)
        tp += p; tf += f; ts += s
    print('skipped: %d' % ts)
    print('%d passed, %d failed' % (tp, tf))
    return 1 if tf or tp == 0 else 0

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
