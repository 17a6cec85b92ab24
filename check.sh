#!/usr/bin/env bash
# Grades an output: recomputes every symbol's statistics from INPUT independently of the C# code (python3,
# arbitrary-precision integers) and compares with OUTPUT. Prints PASS, or the differing lines; exit 0/1.
# Usage: bash check.sh [INPUT] [OUTPUT]   (defaults input.csv output.csv)
set -euo pipefail
input=${1:-input.csv}
output=${2:-output.csv}
[ -r "$input" ] || { echo "check.sh: cannot read $input" >&2; exit 1; }
[ -r "$output" ] || { echo "check.sh: cannot read $output" >&2; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "check.sh: python3 is required" >&2; exit 1; }
exec python3 - "$input" "$output" <<'PY'
import sys

def main(input_path, output_path):
    first = {}   # symbol -> [last timestamp, max gap, volume, notional, max price]
    with open(input_path, 'rb') as f:
        for number, line in enumerate(f, 1):
            parts = line.rstrip(b'\r\n').split(b',')
            if len(parts) != 4:
                print(f"check.sh: input line {number} is malformed", file=sys.stderr)
                return 1
            ts, sym, q, p = int(parts[0]), parts[1], int(parts[2]), int(parts[3])
            s = first.get(sym)
            if s is None:
                first[sym] = [ts, 0, q, q * p, p]
            else:
                gap = ts - s[0]
                if gap > s[1]:
                    s[1] = gap
                s[0] = ts
                s[2] += q
                s[3] += q * p
                if p > s[4]:
                    s[4] = p
    expected = [b"%s,%d,%d,%d,%d" % (sym, s[1], s[2], s[3] // s[2], s[4]) for sym, s in sorted(first.items())]
    with open(output_path, 'rb') as f:
        actual = f.read().split(b'\n')
    if actual and actual[-1] == b'':
        actual.pop()
    bad = 0
    for i in range(max(len(expected), len(actual))):
        e = expected[i] if i < len(expected) else b'<none>'
        a = actual[i] if i < len(actual) else b'<none>'
        if e != a:
            bad += 1
            if bad <= 20:
                print(f"line {i + 1}: expected {e.decode('latin-1')}  got {a.decode('latin-1')}")
    if bad:
        print(f"FAIL: {bad} differing line(s) of {len(expected)} expected")
        return 1
    print(f"PASS ({len(expected)} symbols)")
    return 0

sys.exit(main(sys.argv[1], sys.argv[2]))
PY
