#!/usr/bin/env bash
# Soak test (not in CI): fill 10 symbols (10^8 points each by default), then run the mixed load (90% stats,
# 10% ingest of 10,000 values) for DURATION in SAMPLE-long wrk runs, printing after each one the requests/s,
# p99, errors and the server's resident memory, then a summary: memory first vs last sample, total errors,
# p99 range. Loopback only; bounded by DURATION plus the fill's own bound.
# Usage: bash perf/load/soak.sh    Env (defaults): DURATION=30m SAMPLE=60s CONNS=32 PREFILL_BATCHES=100000
#   PREFILL_CONNS=2 PORT=18084 SKIP_BUILD=0
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION=${DURATION:-30m}
SAMPLE=${SAMPLE:-60s}
CONNS=${CONNS:-32}
PREFILL_BATCHES=${PREFILL_BATCHES:-100000}
PREFILL_CONNS=${PREFILL_CONNS:-2}
PORT=${PORT:-18084}
total_s=$(to_seconds "$DURATION")
sample_s=$(to_seconds "$SAMPLE")
[[ $total_s =~ ^[1-9][0-9]*$ && $total_s -le 86400 ]] || die "DURATION must be 1s..24h"
[[ $sample_s =~ ^[1-9][0-9]*$ && $sample_s -le $total_s ]] || die "SAMPLE must be 1s..DURATION"
[[ $PREFILL_BATCHES =~ ^[0-9]+$ ]] || die "PREFILL_BATCHES must be a non-negative integer"
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"

STAMP=$(date +%Y%m%d-%H%M%S)
mkdir -p "$RESULTS"
OUT="$RESULTS/soak.txt" # every run appended
trap stop_servers EXIT
trap 'exit 130' INT TERM
report() { echo "$*" | tee -a "$OUT"; }

report "=== soak.sh $STAMP  git $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')  DURATION=$DURATION SAMPLE=$SAMPLE CONNS=$CONNS PREFILL_BATCHES=$PREFILL_BATCHES"
report "GC env: $(gc_env)   loadavg: $(cut -d' ' -f1-3 /proc/loadavg)"
build_release TradeStat.Api/TradeStat.Api.csproj
URL="http://127.0.0.1:$PORT"
start_tradestat "$URL" "$RESULTS/soak-$STAMP-tradestat.log"

if ((PREFILL_BATCHES > 0)); then
  log "filling: $PREFILL_BATCHES batches of 10,000 values over SYM0..SYM9"
  started=$SECONDS
  out=$(MAX_REQUESTS=$PREFILL_BATCHES BENCH_NAME=fill timeout --foreground -k 5 1800 \
    wrk -t1 -c"$PREFILL_CONNS" -d1790s --timeout 10s -s "$LUA/ingest.lua" "$URL" 2>&1) || { printf '%s\n' "$out" >&2; die "fill failed"; }
  report "filled in $((SECONDS - started)) s: $(memory_of "$TS_PID"); SYM9 k=8: $(curl -s "$URL/stats/?symbol=SYM9&k=8")"
fi

samples=$((total_s / sample_s))
report "sample  rps  p99_us  non2xx  socket_errors  server_memory"
first_rss= last_rss= errors=0 p99_min= p99_max=
for ((i = 1; i <= samples; i++)); do
  out=$(BENCH_NAME=soak timeout --foreground -k 5 $((sample_s + 30)) \
    wrk -t1 -c"$CONNS" -d"${sample_s}s" --timeout 10s -s "$LUA/mixed.lua" "$URL" 2>&1) || { printf '%s\n' "$out" >&2; die "wrk failed"; }
  line=$(grep '^RESULT ' <<<"$out") || die "no RESULT line"
  rss_kib=$(awk '/^VmRSS:/ { print $2 }' "/proc/$TS_PID/status")
  p99=$(field "$line" p99_us)
  bad=$(($(field "$line" errors_non2xx) + $(field "$line" errors_socket)))
  errors=$((errors + bad))
  first_rss=${first_rss:-$rss_kib}
  last_rss=$rss_kib
  p99_min=$(awk -v a="${p99_min:-$p99}" -v b="$p99" 'BEGIN { print (b < a ? b : a) }')
  p99_max=$(awk -v a="${p99_max:-$p99}" -v b="$p99" 'BEGIN { print (b > a ? b : a) }')
  report "$i/$samples  $(field "$line" rps)  $p99  $(field "$line" errors_non2xx)  $(field "$line" errors_socket)  $((rss_kib / 1024)) MiB"
done

report "summary: $samples samples of ${sample_s}s; resident memory $((first_rss / 1024)) MiB first, $((last_rss / 1024)) MiB last ($(awk -v a="$first_rss" -v b="$last_rss" 'BEGIN { printf "%+.1f%%", (b - a) * 100 / a }')); errors $errors; p99 ${p99_min}..${p99_max} us"
kill -0 "$TS_PID" 2>/dev/null || die "the server died during the soak"
((errors == 0)) || die "$errors errors during the soak"
