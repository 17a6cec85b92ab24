#!/usr/bin/env bash
# Fills TradeStat over HTTP: 10 symbols to TARGET points each, then another TARGET each (the window is full,
# memory should plateau), reporting elapsed time and the server's resident memory at TARGET/10, TARGET and
# 2 x TARGET points per symbol.
# Usage: bash perf/load/fill.sh    Env (defaults): TARGET=100000000 CONNS=2 TIMEOUT_MIN=60 PORT=18083
#   REPORT_EVERY=10 (s between progress lines) SKIP_BUILD=0; DOTNET_gcServer, DOTNET_GCgen0size, ... pass through.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TARGET=${TARGET:-100000000}
CONNS=${CONNS:-2}
TIMEOUT_MIN=${TIMEOUT_MIN:-60}
PORT=${PORT:-18083}
REPORT_EVERY=${REPORT_EVERY:-10}

[[ $TARGET =~ ^[1-9][0-9]*$ && $TARGET -ge 100000 ]] || die "TARGET must be an integer >= 100000"
[[ $CONNS =~ ^[1-9][0-9]?$ ]] || die "CONNS must be 1..99"
[[ $TIMEOUT_MIN =~ ^[1-9][0-9]*$ ]] || die "TIMEOUT_MIN must be a positive integer"
[[ $REPORT_EVERY =~ ^[1-9][0-9]*$ ]] || die "REPORT_EVERY must be a positive integer"
command -v wrk >/dev/null || die "wrk is not installed"

STAMP=$(date +%Y%m%d-%H%M%S)
mkdir -p "$RESULTS"
OUT="$RESULTS/fill.txt"                  # every run appended
PROGRESS="$RESULTS/.fill-$STAMP.progress"
WRK_OUT="$RESULTS/fill-$STAMP-wrk.out"
WRK_PID=
stop_all() {
  if [[ -n $WRK_PID ]] && kill -0 "$WRK_PID" 2>/dev/null; then
    kill -INT "$WRK_PID" 2>/dev/null || true
    sleep 1
    kill -KILL "$WRK_PID" 2>/dev/null || true
  fi
  stop_servers
  rm -f "$PROGRESS" "$PROGRESS.tmp"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# Points per symbol at which memory is reported; the last one ends the run.
MILESTONES=($((TARGET / 10)) "$TARGET" $((2 * TARGET)))
report() { echo "$*" | tee -a "$OUT"; }

report "=== fill.sh $STAMP  git $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')  $(dotnet --version 2>/dev/null)"
report "target: 10 symbols x ${MILESTONES[*]} points (reports at each), wrk -t1 -c$CONNS, timeout ${TIMEOUT_MIN} min"
report "GC env: $(gc_env)   loadavg: $(cut -d' ' -f1-3 /proc/loadavg)   free memory: $(awk '/MemAvailable/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
need_gib=$(awk -v t="$TARGET" 'BEGIN { printf "%.1f", 10 * (t < 1e8 ? t : 1e8) * 8 / 2^30 }')
report "expected resident memory at the plateau: ~$need_gib GiB of values + overhead"

build_release TradeStat.Api/TradeStat.Api.csproj

URL="http://127.0.0.1:$PORT"
start_tradestat "$URL" "$RESULTS/fill-$STAMP-tradestat.log"
report "TradeStat pid $TS_PID idle: $(memory_of "$TS_PID"), $(gc_threads_of "$TS_PID")"

# One long wrk run in the background (bounded by the timeout); ingest.lua writes the symbols' ever-added
# counts, as the server answered them, to $PROGRESS, which this loop polls once a second.
deadline=$((SECONDS + TIMEOUT_MIN * 60))
PROGRESS_FILE=$PROGRESS BENCH_NAME=fill wrk -t1 -c"$CONNS" -d$((TIMEOUT_MIN * 60))s --timeout 30s \
  -s "$LUA/ingest.lua" "$URL" >"$WRK_OUT" 2>&1 &
WRK_PID=$!
start=$SECONDS
next=0                # index of the next milestone
last_report=$SECONDS
last_min=0
while ((next < ${#MILESTONES[@]} && SECONDS < deadline)); do
  sleep 1
  kill -0 "$WRK_PID" 2>/dev/null || { cat "$WRK_OUT" >&2; die "wrk stopped early"; }
  kill -0 "$TS_PID" 2>/dev/null || die "TradeStat exited (see $RESULTS/fill-$STAMP-tradestat.log)"
  [[ -s $PROGRESS ]] || continue
  read -r symbols min max <"$PROGRESS"
  elapsed=$((SECONDS - start))
  while ((next < ${#MILESTONES[@]} && symbols == 10 && min >= MILESTONES[next])); do
    report "$(printf 'MILESTONE points_per_symbol>=%d elapsed_s=%d min=%d max=%d points_per_s=%s %s %s' \
      "${MILESTONES[next]}" "$elapsed" "$min" "$max" "$(awk -v m="$min" -v e="$elapsed" 'BEGIN { printf "%.0f", (e > 0 ? 10 * m / e : 0) }')" \
      "$(memory_of "$TS_PID")" "$(gc_threads_of "$TS_PID")")"
    next=$((next + 1))
  done
  if ((SECONDS - last_report >= REPORT_EVERY)); then
    log "$(printf 'elapsed %4ds  per symbol min %d max %d  %sM points/s (last %ds)  %s' "$elapsed" "$min" "$max" \
      "$(awk -v a="$min" -v b="$last_min" -v s=$((SECONDS - last_report)) 'BEGIN { printf "%.2f", 10 * (a - b) / s / 1e6 }')" \
      $((SECONDS - last_report)) "$(memory_of "$TS_PID")")"
    last_report=$SECONDS
    last_min=$min
  fi
done

# SIGINT ends wrk with its summary (the RESULT line); repeated because the kernel may hand it to a worker thread.
for _ in 1 2 3 4 5 6 7 8 9 10; do
  kill -INT "$WRK_PID" 2>/dev/null || break
  sleep 0.3
done
wait "$WRK_PID" 2>/dev/null || true
WRK_PID=
report "$(grep '^RESULT ' "$WRK_OUT" || echo 'RESULT missing (see '"$WRK_OUT"')')"
if ((next < ${#MILESTONES[@]})); then
  report "TIMEOUT after ${TIMEOUT_MIN} min: reached $next of ${#MILESTONES[@]} milestones"
  exit 1
fi
report "stats SYM0 k=8: $(curl -s --max-time 5 "$URL/stats/?symbol=SYM0&k=8")"
report "final: $(memory_of "$TS_PID"), $(gc_threads_of "$TS_PID"), total elapsed $((SECONDS - start)) s"
