# Helpers shared by load.sh, fill.sh, ab.sh and soak.sh (sourced, not run). Everything talks to 127.0.0.1 only.

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) # perf/load
REPO=$(cd "$HERE/../.." && pwd)
LUA="$HERE/lua"
RESULTS="$HERE/results"
API_DLL="$REPO/TradeStat.Api/bin/Release/net10.0/TradeStat.Api.dll"
CEILING_DLL="$REPO/perf/TradeStat.Ceiling/bin/Release/net10.0/TradeStat.Ceiling.dll"
CLK_TCK=$(getconf CLK_TCK)

# Runtime settings of the TradeStat server: those of the Dockerfile (DOTNET_ReadyToRun=0: every method is jitted
# with dynamic PGO instead of starting from the framework's precompiled code; see docs/benchmarks.md). The ceiling
# runs on the runtime's defaults unless CEILING_RUNTIME_ENV says otherwise (e.g. the same setting, to compare).
TS_RUNTIME_ENV=${TS_RUNTIME_ENV-DOTNET_ReadyToRun=0}
CEILING_RUNTIME_ENV=${CEILING_RUNTIME_ENV-}

# PIDs of the servers this script started; stopped by stop_servers (trap on EXIT).
SERVER_PIDS=()

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { log "ERROR: $*" >&2; exit 1; }

# "10s", "2m", "1h" or plain seconds -> seconds (wrk's duration syntax, integers only).
to_seconds() {
  local v=$1
  case $v in
    *s) echo "${v%s}" ;;
    *m) echo $(( ${v%m} * 60 )) ;;
    *h) echo $(( ${v%h} * 3600 )) ;;
    *) echo "$v" ;;
  esac
}

# One Release build of the given projects, serialised: the machine has 2 cores.
build_release() {
  if [[ ${SKIP_BUILD:-0} == 1 ]]; then
    log "SKIP_BUILD=1: using the existing Release build"
  else
    local project
    for project in "$@"; do
      log "building $project (Release)"
      (cd "$REPO" && dotnet build "$project" -c Release -nologo -v quiet) || die "build of $project failed"
    done
  fi
  [[ -f $API_DLL ]] || die "missing $API_DLL"
}

port_is_free() { ! ss -Hltn "sport = :$1" | grep -q .; }

# start_server NAME PORT LOGFILE COMMAND... : starts in the background, records the PID in SERVER_PIDS
# and in the global LAST_PID (a plain `dotnet x.dll` command, so $! is the server process itself).
start_server() {
  local name=$1 port=$2 logfile=$3
  shift 3
  port_is_free "$port" || die "port $port ($name) is in use; set another port"
  "$@" >"$logfile" 2>&1 &
  LAST_PID=$!
  SERVER_PIDS+=("$LAST_PID")
  log "started $name (pid $LAST_PID) on 127.0.0.1:$port, log $logfile"
}

# start_tradestat URL LOGFILE [VAR=VALUE...] : the service as shipped (its appsettings.json via --contentRoot, the
# runtime settings TS_RUNTIME_ENV, then the given ones, JSON logs) on URL, from TS_DLL (default: this checkout's
# Release build); sets TS_PID and waits until it answers.
start_tradestat() {
  local url=$1 logfile=$2 dll=${TS_DLL:-$API_DLL}
  shift 2
  # TS_RUNTIME_ENV is split into words on purpose: it is a list of VAR=VALUE settings.
  # shellcheck disable=SC2086
  start_server tradestat "${url##*:}" "$logfile" \
    env $TS_RUNTIME_ENV "$@" TradeStat__LogFormat=json dotnet "$dll" --contentRoot "$(dirname "$dll")" --urls "$url"
  TS_PID=$LAST_PID
  wait_ready "$TS_PID" "$url/health/live"
}

# wait_ready PID URL : polls URL until 2xx, at most 30 s; fails early if the process died.
wait_ready() {
  local pid=$1 url=$2 i
  for ((i = 0; i < 120; i++)); do
    kill -0 "$pid" 2>/dev/null || die "server pid $pid exited during start-up"
    if curl -sf -o /dev/null --max-time 1 "$url"; then
      return 0
    fi
    sleep 0.25
  done
  die "no answer from $url after 30 s"
}

# SIGTERM each server we started, wait up to 10 s each, then SIGKILL.
stop_servers() {
  local pid i
  for pid in "${SERVER_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || continue
    for ((i = 0; i < 40; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "pid $pid still running after SIGTERM; killing"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  SERVER_PIDS=()
}

# CPU time (user + system) of a process in microseconds, from /proc/PID/stat.
cpu_us() {
  # comm (field 2) is "(dotnet)", without spaces, so the usual field numbers hold: utime 14, stime 15.
  awk -v tck="$CLK_TCK" '{ printf "%.0f\n", ($14 + $15) * 1000000 / tck }' "/proc/$1/stat"
}

# "VmRSS=... VmHWM=... RssAnon=..." in MiB, from /proc/PID/status.
memory_of() {
  awk '/^(VmRSS|VmHWM|RssAnon):/ { printf "%s%s=%.0fMiB", sep, substr($1, 1, length($1) - 1), $2 / 1024; sep = " " }
       END { print "" }' "/proc/$1/status"
}

# Server GC heaps and background GC threads, from the runtime's thread names (no tools needed).
gc_threads_of() {
  local server background
  server=$(cat /proc/"$1"/task/*/comm 2>/dev/null | grep -c '^\.NET Server GC' || true)
  background=$(cat /proc/"$1"/task/*/comm 2>/dev/null | grep -c '^\.NET BGC' || true)
  echo "server_gc_heaps=$server background_gc_threads=$background"
}

# The DOTNET_* GC settings in the environment (inherited by the servers), or "none".
gc_env() {
  local settings
  settings=$(env | grep -i '^DOTNET_GC' | sort | tr '\n' ' ' || true)
  echo "${settings:-none}"
}

# "value" of key=value in a RESULT line.
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
