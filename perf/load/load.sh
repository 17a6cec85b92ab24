#!/usr/bin/env bash
# TradeStat against a plain-Kestrel ceiling under HTTP load (wrk), in interleaved rounds:
# stats vs raw/MVC hello-world, ingest vs read-and-discard, and a 90/10 mixed load; medians and ratios.
# Usage: bash perf/load/load.sh    Env (defaults): DURATION=10s CONNS=32 THREADS=1 ROUNDS=3 WARMUP=3s
#   PREFILL_BATCHES=100 TS_PORT=18081 CEILING_PORT=18082 WRK_TIMEOUT=5s CHECK=1 SKIP_BUILD=0
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION=${DURATION:-10s}
CONNS=${CONNS:-32}
THREADS=${THREADS:-1}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-3s}
PREFILL_BATCHES=${PREFILL_BATCHES:-100}
TS_PORT=${TS_PORT:-18081}
CEILING_PORT=${CEILING_PORT:-18082}
WRK_TIMEOUT=${WRK_TIMEOUT:-5s}
export CHECK=${CHECK:-1}

[[ $ROUNDS =~ ^[1-9][0-9]?$ ]] || die "ROUNDS must be 1..99"
[[ $CONNS =~ ^[1-9][0-9]*$ && $THREADS =~ ^[1-9][0-9]*$ && $CONNS -ge $THREADS ]] || die "need CONNS >= THREADS >= 1"
[[ $PREFILL_BATCHES =~ ^[0-9]+$ && $((PREFILL_BATCHES % 10)) == 0 ]] || die "PREFILL_BATCHES must be a multiple of 10"
run_s=$(to_seconds "$DURATION")
warm_s=$(to_seconds "$WARMUP")
[[ $run_s =~ ^[1-9][0-9]*$ && $run_s -le 600 ]] || die "DURATION must be 1s..600s"
[[ $warm_s =~ ^[0-9]+$ && $warm_s -le 600 ]] || die "WARMUP must be 0s..600s"
command -v wrk >/dev/null || die "wrk is not installed"

STAMP=$(date +%Y%m%d-%H%M%S)
mkdir -p "$RESULTS"
OUT="$RESULTS/load.txt"                      # every run appended: header, figures, summary
FIGURES="$RESULTS/load-$STAMP.figures"       # this run's measured RESULT lines (warm-ups excluded)
TIMES="$RESULTS/.times-$STAMP"
trap 'stop_servers; rm -f "$TIMES"' EXIT
trap 'exit 130' INT TERM

# Six measured runs per round, five warm-up runs, start-up and pre-fill (~15 s).
estimate=$((ROUNDS * 6 * run_s + 5 * warm_s + 15))
{
  echo "=== load.sh $STAMP  git $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')  $(dotnet --version 2>/dev/null)"
  echo "settings: DURATION=$DURATION CONNS=$CONNS THREADS=$THREADS ROUNDS=$ROUNDS WARMUP=$WARMUP PREFILL_BATCHES=$PREFILL_BATCHES CHECK=$CHECK"
  echo "runtime env: TradeStat [$TS_RUNTIME_ENV] ceiling [$CEILING_RUNTIME_ENV]   GC env: $(gc_env)   cores: $(nproc)   loadavg before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "estimated run time after the build: ${estimate}s (~$(((estimate + 59) / 60)) min)"
} | tee -a "$OUT"
if awk '{ exit !($1 > 0.5) }' /proc/loadavg; then
  log "note: the machine is already busy (loadavg $(cut -d' ' -f1 /proc/loadavg)); other processes share the 2 cores, figures will be noisy"
fi

build_release TradeStat.Api/TradeStat.Api.csproj perf/TradeStat.Ceiling/TradeStat.Ceiling.csproj
[[ -f $CEILING_DLL ]] || die "missing $CEILING_DLL"

TS_URL="http://127.0.0.1:$TS_PORT"
CEILING_URL="http://127.0.0.1:$CEILING_PORT"
start_server ceiling "$CEILING_PORT" "$RESULTS/load-$STAMP-ceiling.log" \
  env $CEILING_RUNTIME_ENV dotnet "$CEILING_DLL" --urls "$CEILING_URL"
CEILING_PID=$LAST_PID
start_tradestat "$TS_URL" "$RESULTS/load-$STAMP-tradestat.log"
wait_ready "$CEILING_PID" "$CEILING_URL/raw"

# client_cpu_us VAR: sets VAR to the CPU time (user + system) of this shell's waited-for children, i.e. the
# wrk runs, in microseconds. `times` must run in this shell itself: a $(...) subshell has no children yet.
client_cpu_us() {
  times >"$TIMES"
  printf -v "$1" '%s' "$(awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($i, t, "m"); sub("s", "", t[2]); s += t[1] * 60 + t[2] }
                 printf "%.0f\n", s * 1000000 }' "$TIMES")"
}

# Busy CPU time of the whole machine (all cores) in microseconds, from /proc/stat.
machine_busy_us() {
  awk -v tck="$CLK_TCK" '$1 == "cpu" { printf "%.0f\n", ($2 + $3 + $4 + $7 + $8 + $9) * 1000000 / tck }' /proc/stat
}

# bench ROUND NAME SERVER_PID SCRIPT URL DURATION [VAR=VALUE...]
# One wrk run; prints its RESULT line with the server's CPU per request, the client's (wrk) CPU and the
# CPU used by everything else on the machine (other builds or tests make figures noisy).
bench() {
  local round=$1 name=$2 pid=$3 script=$4 url=$5 duration=$6
  shift 6
  local server0 client0 busy0 server1 client1 busy1 out line requests
  server0=$(cpu_us "$pid"); client_cpu_us client0; busy0=$(machine_busy_us)
  out=$(env "$@" BENCH_NAME="$name" timeout --foreground -k 5 $(($(to_seconds "$duration") + 30)) \
    wrk -t"$THREADS" -c"$CONNS" -d"$duration" --timeout "$WRK_TIMEOUT" -s "$LUA/$script" "$url" 2>&1) ||
    { printf '%s\n' "$out" >&2; die "wrk failed for $name"; }
  server1=$(cpu_us "$pid"); client_cpu_us client1; busy1=$(machine_busy_us)
  line=$(grep '^RESULT ' <<<"$out") || { printf '%s\n' "$out" >&2; die "no RESULT line from wrk for $name"; }
  requests=$(field "$line" requests)
  line+=$(awk -v r="$round" -v n="$requests" -v s=$((server1 - server0)) -v c=$((client1 - client0)) -v b=$((busy1 - busy0)) \
    'BEGIN { printf(" round=%s server_cpu_us_per_req=%.1f server_cpu_s=%.2f client_cpu_s=%.2f other_cpu_s=%.2f",
                    r, n > 0 ? s / n : 0, s / 1e6, c / 1e6, (b - s - c) / 1e6) }')
  if [[ $round == warmup ]]; then
    echo "warm-up: $line" | tee -a "$OUT"
  else
    echo "$line" | tee -a "$OUT" "$FIGURES" >/dev/null
    echo "$line"
  fi
}

# Pre-fill first, so that the warm-up already exercises the 200 paths (not 404s): PREFILL_BATCHES batches
# of 10,000 values over the 10 symbols, exactly (one connection, wrk stops after that many answers).
if ((PREFILL_BATCHES > 0)); then
  log "pre-filling: $PREFILL_BATCHES batches of 10,000 values over SYM0..SYM9"
  # PREFILL_CONNS=2 fills fastest (a request or so may overshoot); 100000 batches fill every window (10^8 each).
  out=$(MAX_REQUESTS=$PREFILL_BATCHES BENCH_NAME=prefill timeout --foreground -k 5 900 \
    wrk -t1 -c"${PREFILL_CONNS:-1}" -d840s --timeout 10s -s "$LUA/ingest.lua" "$TS_URL" 2>&1) || { printf '%s\n' "$out" >&2; die "pre-fill failed"; }
  grep '^RESULT ' <<<"$out" | tee -a "$OUT"
  curl -sf "$TS_URL/stats/?symbol=SYM9&k=8" >/dev/null || die "SYM9 has no data after the pre-fill"
  log "SYM9 k=8: $(curl -s "$TS_URL/stats/?symbol=SYM9&k=8")"
fi

if ((warm_s > 0)); then
  log "warming up, ${warm_s}s per endpoint (discarded)"
  bench warmup ts_stats "$TS_PID" stats.lua "$TS_URL" "$WARMUP"
  bench warmup ts_ingest "$TS_PID" ingest.lua "$TS_URL" "$WARMUP"
  bench warmup raw "$CEILING_PID" stats.lua "$CEILING_URL" "$WARMUP" STATS_PATH=/raw
  bench warmup mvc_stats "$CEILING_PID" stats.lua "$CEILING_URL" "$WARMUP" STATS_PATH=/mvc/stats
  bench warmup discard "$CEILING_PID" ingest.lua "$CEILING_URL" "$WARMUP" INGEST_PATH=/mvc/discard
fi

# SCENARIOS (default "stats ingest mixed") picks the groups to run, e.g. SCENARIOS=stats for a quick A/B.
SCENARIOS=${SCENARIOS:-stats ingest mixed}
wanted() { [[ " $SCENARIOS " == *" $1 "* ]]; }

# Interleaved: each round runs every scenario once, so a slow phase of the machine hits all of them.
for ((round = 1; round <= ROUNDS; round++)); do
  log "round $round/$ROUNDS"
  wanted stats && bench "$round" ts_stats "$TS_PID" stats.lua "$TS_URL" "$DURATION"
  wanted stats && bench "$round" raw "$CEILING_PID" stats.lua "$CEILING_URL" "$DURATION" STATS_PATH=/raw
  wanted stats && bench "$round" mvc_stats "$CEILING_PID" stats.lua "$CEILING_URL" "$DURATION" STATS_PATH=/mvc/stats
  wanted ingest && bench "$round" ts_ingest "$TS_PID" ingest.lua "$TS_URL" "$DURATION"
  wanted ingest && bench "$round" discard "$CEILING_PID" ingest.lua "$CEILING_URL" "$DURATION" INGEST_PATH=/mvc/discard
  wanted mixed && bench "$round" ts_mixed "$TS_PID" mixed.lua "$TS_URL" "$DURATION"
done

# median NAME KEY: median over rounds of KEY in the RESULT lines of scenario NAME.
median() {
  grep " name=$1 " "$FIGURES" | sed -n "s/.* $2=\([^ ]*\).*/\1/p" | sort -g |
    awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else printf "%.10g\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# total NAME KEY: sum over rounds ("na" counts as 0).
total() { grep " name=$1 " "$FIGURES" | sed -n "s/.* $2=\([0-9]*\).*/\1/p" | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "nan"; else printf "%.3f", a / b }'; }

{
  echo
  echo "summary: medians over $ROUNDS round(s) of $DURATION, wrk -t$THREADS -c$CONNS (server_cpu = server CPU per request)"
  printf '%-10s %12s %10s %10s %12s %14s %8s %8s\n' scenario rps p50_us p99_us server_cpu_us non2xx_total sock_err other_cpu_s
  errors=0
  for name in ts_stats raw mvc_stats ts_ingest discard ts_mixed; do
    grep -q " name=$name " "$FIGURES" || continue # not among SCENARIOS
    non2xx=$(total "$name" errors_non2xx)
    status=$(total "$name" errors_status)
    socket=$(total "$name" errors_socket)
    errors=$((errors + non2xx + status + socket))
    printf '%-10s %12s %10s %10s %12s %14s %8s %8s\n' "$name" "$(median "$name" rps)" "$(median "$name" p50_us)" \
      "$(median "$name" p99_us)" "$(median "$name" server_cpu_us_per_req)" "$non2xx" "$socket" "$(median "$name" other_cpu_s)"
  done
  echo
  echo "ratios (of medians):"
  echo "  stats rps / raw rps                 $(ratio "$(median ts_stats rps)" "$(median raw rps)")"
  echo "  stats rps / mvc-hello rps           $(ratio "$(median ts_stats rps)" "$(median mvc_stats rps)")"
  echo "  ingest rps / discard rps            $(ratio "$(median ts_ingest rps)" "$(median discard rps)")"
  echo "  stats cpu/req / mvc-hello cpu/req   $(ratio "$(median ts_stats server_cpu_us_per_req)" "$(median mvc_stats server_cpu_us_per_req)")"
  echo "  ingest cpu/req / discard cpu/req    $(ratio "$(median ts_ingest server_cpu_us_per_req)" "$(median discard server_cpu_us_per_req)")"
  echo "  ingest points/s (rps x 10,000)      $(awk -v r="$(median ts_ingest rps)" 'BEGIN { printf "%.0f", r * 10000 }')"
  echo "  mixed points/s (rps / 10 x 10,000)  $(median ts_mixed points_per_s)"
  echo "TradeStat after the run: $(memory_of "$TS_PID"), $(gc_threads_of "$TS_PID"); loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)"
  if ((errors > 0)); then
    echo "WARNING: $errors non-2xx answers or socket errors (see the RESULT lines above)"
  fi
  echo "figures: $FIGURES   history: $OUT"
} | tee -a "$OUT"
