#!/usr/bin/env bash
# GET /stats/ throughput (wrk) with no dashboard open and with DASHBOARDS open ones (live streams of the series view,
# each receiving its updates while a trickle of batches changes a symbol), in alternating rounds; medians and ratio.
# Usage: bash perf/load/dashboards.sh    Env (defaults): DURATION=10s CONNS=32 THREADS=1 ROUNDS=5 DASHBOARDS=10
#   VIEW=series (or feed) PREFILL_BATCHES=100 TS_PORT=18083 SKIP_BUILD=0
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION=${DURATION:-10s}
CONNS=${CONNS:-32}
THREADS=${THREADS:-1}
ROUNDS=${ROUNDS:-5}
DASHBOARDS=${DASHBOARDS:-10}
VIEW=${VIEW:-series}
PREFILL_BATCHES=${PREFILL_BATCHES:-100}
TS_PORT=${TS_PORT:-18083}
export CHECK=${CHECK:-1}
command -v wrk >/dev/null || die "wrk is not installed"
[[ $VIEW == series || $VIEW == feed ]] || die "VIEW must be series or feed"

STAMP=$(date +%Y%m%d-%H%M%S)
mkdir -p "$RESULTS"
OUT="$RESULTS/dashboards.txt"
STREAMS="$RESULTS/.streams-$STAMP"
mkdir -p "$STREAMS"
STREAM_PIDS=()
TRICKLE_PID=
stop_streams() {
  local pid
  for pid in "${STREAM_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  STREAM_PIDS=()
}
cleanup() {
  stop_streams
  [[ -n $TRICKLE_PID ]] && { kill "$TRICKLE_PID" 2>/dev/null || true; wait "$TRICKLE_PID" 2>/dev/null || true; }
  stop_servers
  rm -rf "$STREAMS"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

{
  echo "=== dashboards.sh $STAMP  git $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')  $(dotnet --version 2>/dev/null)"
  echo "settings: DURATION=$DURATION CONNS=$CONNS THREADS=$THREADS ROUNDS=$ROUNDS DASHBOARDS=$DASHBOARDS VIEW=$VIEW   cores: $(nproc)   loadavg before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$OUT"

build_release TradeStat.Api/TradeStat.Api.csproj
TS_URL="http://127.0.0.1:$TS_PORT"
start_tradestat "$TS_URL" "$RESULTS/dashboards-$STAMP-tradestat.log"

log "pre-filling: $PREFILL_BATCHES batches of 10,000 values over SYM0..SYM9"
MAX_REQUESTS=$PREFILL_BATCHES BENCH_NAME=prefill wrk -t1 -c1 -d600s --timeout 10s -s "$LUA/ingest.lua" "$TS_URL" >/dev/null 2>&1 \
  || die "pre-fill failed"
curl -sf "$TS_URL/stats/?symbol=SYM9&k=8" >/dev/null || die "SYM9 has no data after the pre-fill"

# A trickle of small batches in both conditions, so that open dashboards have changes to receive (the view sends at
# most two updates a second whatever the rate of batches).
( while true; do
    curl -sf -o /dev/null -X POST "$TS_URL/add_batch/" -H 'Content-Type: application/json' -d '{"symbol":"SYM0","values":[1.5,2.5]}' || true
    sleep 0.1
  done ) &
TRICKLE_PID=$!

run_wrk() { # run_wrk NAME -> prints rps
  local out
  out=$(BENCH_NAME="$1" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 5s -s "$LUA/stats.lua" "$TS_URL" 2>&1)
  sed -n 's/.*RESULT .* rps=\([0-9.]*\) .*/\1/p' <<<"$out" | head -1
}

open_streams() {
  local i
  for ((i = 0; i < DASHBOARDS; i++)); do
    curl -sN "$TS_URL/dashboard/events/$VIEW" >"$STREAMS/$i" 2>/dev/null &
    STREAM_PIDS+=($!)
  done
  # Each open stream has its snapshot before the measured run starts.
  for ((i = 0; i < 100; i++)); do
    [[ $(grep -l '^event: snapshot' "$STREAMS"/* 2>/dev/null | wc -l) -ge $DASHBOARDS ]] && return 0
    sleep 0.1
  done
  die "the dashboards' streams did not start"
}

log "warm-up"
run_wrk warmup >/dev/null
none=() open=()
for ((round = 1; round <= ROUNDS; round++)); do
  # Alternate which condition goes first, so that drift on the machine falls on both alike.
  if ((round % 2 == 1)); then
    a=$(run_wrk none); open_streams; b=$(run_wrk open); stop_streams
  else
    open_streams; b=$(run_wrk open); stop_streams; a=$(run_wrk none)
  fi
  updates=$(cat "$STREAMS"/* | grep -c '^event: update' || true)
  none+=("$a"); open+=("$b")
  echo "round $round: none rps=$a  ${DASHBOARDS} dashboards rps=$b  (updates received by the dashboards this round: $updates)" | tee -a "$OUT"
  rm -f "$STREAMS"/*
done

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
m_none=$(median "${none[@]}")
m_open=$(median "${open[@]}")
awk -v a="$m_none" -v b="$m_open" -v d="$DASHBOARDS" 'BEGIN { printf "median GET /stats/ rps: none %.0f, %d dashboards %.0f: %.1f%% of none\n", a, d, b, 100 * b / a }' | tee -a "$OUT"
