#!/usr/bin/env bash
# A/B of the service alone under GET /stats/ load: runtime settings or two builds, alternated round by round.
# Usage: bash bench/ab.sh "A" "B" [ROUNDS]   each of A, B: "-" (defaults) or space-separated VAR=VALUE settings,
#        optionally led by @/path/to/TradeStat.Api.dll to run another build, e.g.
#        bash bench/ab.sh "DOTNET_ReadyToRun=0" "DOTNET_ReadyToRun=0 DOTNET_gcServer=0" 3
# Each round: start the service, add 3 batches of 10,000 values to SYM0..SYM9, warm up 8 s, measure 6 s with wrk
# (-t1 -c32, stats.lua), print requests/s, p99 and the server's CPU per request, stop it. Loopback only.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v wrk >/dev/null || die "wrk is not installed"
[[ -f $API_DLL ]] || die "missing $API_DLL (dotnet build TradeStat.Api -c Release)"
(($# >= 2)) || die 'usage: bash bench/ab.sh "A settings|-" "B settings|-" [ROUNDS]'
A=$1 B=$2 ROUNDS=${3:-3} PORT=${AB_PORT:-18091}
mkdir -p "$RESULTS"
SERVER_LOG="$RESULTS/ab-server.log"
BODIES=$(mktemp -d)
trap 'stop_servers; rm -rf "$BODIES"' EXIT
for i in 0 1 2 3 4 5 6 7 8 9; do
  python3 -c "import random; random.seed($i); print('{\"symbol\":\"SYM$i\",\"values\":[' + ','.join('%.4f' % (100 + random.random()) for _ in range(10000)) + ']}')" >"$BODIES/$i.json"
done
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
for ((r = 0; r < ROUNDS; r++)); do
  for cfg in "$A" "$B"; do
    settings=() dll=$API_DLL
    [[ $cfg != "-" ]] && read -r -a settings <<<"$cfg"
    if [[ ${settings[0]:-} == @* ]]; then dll=${settings[0]#@}; settings=("${settings[@]:1}"); fi
    start_server tradestat "$PORT" "$SERVER_LOG" \
      env "${settings[@]}" TradeStat__LogFormat=json dotnet "$dll" --contentRoot "$(dirname "$dll")" --urls "http://127.0.0.1:$PORT"
    pid=$LAST_PID
    wait_ready "$pid" "http://127.0.0.1:$PORT/health/live"
    for i in 0 1 2 3 4 5 6 7 8 9; do
      for _ in 1 2 3; do
        curl -sf -o /dev/null -X POST "http://127.0.0.1:$PORT/add_batch/" -H 'Content-Type: application/json' --data-binary "@$BODIES/$i.json"
      done
    done
    (cd "$LUA" && CHECK=0 wrk -t1 -c32 -d8s -s stats.lua "http://127.0.0.1:$PORT" >/dev/null 2>&1)
    c0=$(cpu_ticks "$pid")
    out=$(cd "$LUA" && CHECK=0 wrk -t1 -c32 -d6s -s stats.lua "http://127.0.0.1:$PORT" 2>&1) || die "wrk failed: $out"
    c1=$(cpu_ticks "$pid")
    n=$(grep -oP 'requests=\K[0-9]+' <<<"$out") || die "no RESULT line from wrk (server log: $SERVER_LOG): $out"
    printf 'cfg=[%s] rps=%s p99_us=%s cpu_us_per_req=%s load=%s\n' "$cfg" "$(grep -oP 'Requests/sec:\s+\K[0-9.]+' <<<"$out")" \
      "$(grep -oP 'p99_us=\K[0-9]+' <<<"$out")" "$(awk -v c=$((c1 - c0)) -v n="$n" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", c * 1e6 / t / n }')" \
      "$(cut -d' ' -f1 /proc/loadavg)"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    SERVER_PIDS=()
  done
done
