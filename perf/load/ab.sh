#!/usr/bin/env bash
# A/B of the service alone under GET /stats/ (or POST /add_batch/) load: runtime settings or two builds,
# alternated round by round.
# Usage: bash perf/load/ab.sh "A" "B" [ROUNDS]   each of A, B: "-" (defaults) or space-separated VAR=VALUE settings,
#        optionally led by @/path/to/TradeStat.Api.dll to run another build, e.g.
#        bash perf/load/ab.sh "DOTNET_ReadyToRun=0" "DOTNET_ReadyToRun=0 DOTNET_gcServer=0" 3
# Env: AB_SCENARIO=stats (default) or ingest, AB_PORT=18091.
# Each round: start the service, add 30 batches of 10,000 values over SYM0..SYM9 (ingest.lua), warm up 8 s,
# measure 6 s with wrk (-t1 -c32, stats.lua or ingest.lua: ingest then runs while the windows fill), print
# requests/s, p99 and the server's CPU per request, stop it. Loopback only.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v wrk >/dev/null || die "wrk is not installed"
[[ -f $API_DLL ]] || die "missing $API_DLL (dotnet build TradeStat.Api -c Release)"
(($# >= 2)) || die 'usage: bash perf/load/ab.sh "A settings|-" "B settings|-" [ROUNDS]'
A=$1 B=$2 ROUNDS=${3:-3} PORT=${AB_PORT:-18091} SCENARIO=${AB_SCENARIO:-stats}
[[ $SCENARIO == stats || $SCENARIO == ingest ]] || die "AB_SCENARIO must be stats or ingest"
SCRIPT="$LUA/$SCENARIO.lua"
URL="http://127.0.0.1:$PORT"
mkdir -p "$RESULTS"
SERVER_LOG="$RESULTS/ab-server.log"
trap stop_servers EXIT

for ((r = 0; r < ROUNDS; r++)); do
  for cfg in "$A" "$B"; do
    settings=() dll=$API_DLL
    [[ $cfg != "-" ]] && read -r -a settings <<<"$cfg"
    if [[ ${settings[0]:-} == @* ]]; then dll=${settings[0]#@}; settings=("${settings[@]:1}"); fi
    TS_RUNTIME_ENV='' TS_DLL=$dll start_tradestat "$URL" "$SERVER_LOG" "${settings[@]}" # exactly this side's settings
    pid=$TS_PID
    MAX_REQUESTS=30 BENCH_NAME=prefill wrk -t1 -c1 -d60s -s "$LUA/ingest.lua" "$URL" >/dev/null 2>&1 || die "pre-fill failed"
    CHECK=0 wrk -t1 -c32 -d8s -s "$SCRIPT" "$URL" >/dev/null 2>&1 || die "warm-up failed"
    cpu0=$(cpu_us "$pid")
    out=$(CHECK=0 wrk -t1 -c32 -d6s -s "$SCRIPT" "$URL" 2>&1) || die "wrk failed: $out"
    cpu1=$(cpu_us "$pid")
    line=$(grep '^RESULT ' <<<"$out") || die "no RESULT line from wrk (server log: $SERVER_LOG): $out"
    printf 'cfg=[%s] rps=%s p99_us=%s cpu_us_per_req=%s load=%s\n' "$cfg" "$(field "$line" rps)" "$(field "$line" p99_us)" \
      "$(awk -v c=$((cpu1 - cpu0)) -v n="$(field "$line" requests)" 'BEGIN { printf "%.2f", c / n }')" "$(cut -d' ' -f1 /proc/loadavg)"
    stop_servers
    SERVER_PIDS=()
  done
done
