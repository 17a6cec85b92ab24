#!/usr/bin/env bash
# The batch job on the four symbol universes, beside DuckDB and `cat | cat`, one table row per universe:
#   1              --symbols 1
#   500            the default (500 symbols, sqrt popularity)
#   17576-uniform  --symbols 17576 --distribution uniform
#   17576-zipf     --symbols 17576 --distribution zipf
# Usage: bash perf/batch/universes.sh            (from anywhere; builds what it needs)
# Environment: ROWS (default 40000000), KEEP=1 keeps the generated files for the next run, WORK (default
# ${TMPDIR:-/tmp}/tradestat-universes), UNIVERSES (a subset, e.g. "500 17576-uniform").
# Per universe: the file is generated once (reused when present with the same parameters), read into the page
# cache, then: `run.sh FILE out` best of 3 (wall), `cat FILE | bash run.sh - out2` and `cat FILE | cat > /dev/null`
# alternated, best of 3 each, DuckDB best of 2; then, with 500 and 17576-uniform, the two files alternated five times
# for the CPU-per-row ratio. Exit status 1 if any output differs (DuckDB's or stdin's).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ROWS=${ROWS:-40000000}
KEEP=${KEEP:-0}
WORK=${WORK:-${TMPDIR:-/tmp}/tradestat-universes}
UNIVERSES=${UNIVERSES:-"1 500 17576-uniform 17576-zipf"}
DUCKDB="$REPO/perf/TradeStat.Benchmarks/bin/Release/net10.0/TradeStat.Benchmarks"
TIME=/usr/bin/time
FORMAT="%e %U %S %M" # wall s, user s, sys s, max RSS KB

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ -x $TIME ]] || die "needs GNU time at $TIME"
[[ $ROWS =~ ^[0-9]+$ && $ROWS -gt 0 ]] || die "ROWS must be a positive integer, got '$ROWS'"
mkdir -p "$WORK"

# Only what this script made is removed (WORK may be shared); KEEP=1 keeps the inputs for a later run.
cleanup() {
  rm -f "$WORK"/out-* "$WORK"/time-*
  if [[ $KEEP != 1 ]]; then
    rm -f "$WORK"/trades-*.csv "$WORK"/trades-*.csv.done
    rmdir "$WORK" 2>/dev/null || true
  fi
}
trap cleanup EXIT

log "building TradeStat.Cli (run.sh's rules) and perf/TradeStat.Benchmarks (Release)"
gen_bin=$(TRADESTAT_BUILD_ONLY=1 bash "$REPO/run.sh")
(cd "$REPO" && dotnet build perf/TradeStat.Benchmarks -c Release -nologo -v quiet >/dev/null) ||
  die "build of perf/TradeStat.Benchmarks failed (run it by hand to see why)"
[[ -x $DUCKDB ]] || die "missing $DUCKDB"

gen_args() {
  case $1 in
    1) echo "--symbols 1" ;;
    500) echo "--symbols 500" ;;
    17576-uniform) echo "--symbols 17576 --distribution uniform" ;;
    17576-zipf) echo "--symbols 17576 --distribution zipf" ;;
    *) die "unknown universe '$1' (1, 500, 17576-uniform, 17576-zipf)" ;;
  esac
}

# timed NAME COMMAND... : runs COMMAND under GNU time, stdout and stderr to $WORK/out-NAME.log; sets WALL USER SYS RSS.
timed() {
  local name=$1
  shift
  "$TIME" -f "$FORMAT" -o "$WORK/time-$name" "$@" >"$WORK/out-$name.log" 2>&1 ||
    { cat "$WORK/out-$name.log" >&2; die "$name failed: $*"; }
  read -r WALL USER SYS RSS <"$WORK/time-$name"
}

# best NAME : keeps the fastest run so far of NAME (BEST_WALL_NAME, BEST_CPU_NAME, BEST_RSS_NAME).
best() {
  local name=$1 wall_var="BEST_WALL_$1"
  if [[ -z ${!wall_var:-} ]] || awk -v a="$WALL" -v b="${!wall_var}" 'BEGIN { exit !(a < b) }'; then
    printf -v "BEST_WALL_$name" '%s' "$WALL"
    printf -v "BEST_CPU_$name" '%s' "$(awk -v u="$USER" -v s="$SYS" 'BEGIN { printf "%.2f", u + s }')"
    printf -v "BEST_USER_$name" '%s' "$USER"
    printf -v "BEST_RSS_$name" '%s' "$RSS"
  fi
}

rows_out=()
cpu_per_row_500=""
cpu_per_row_uniform=""
for universe in $UNIVERSES; do
  args=$(gen_args "$universe")
  file="$WORK/trades-$ROWS-${universe}.csv"
  # The marker holds the exact parameters: a file from other ones (or a generation cut short) is made again.
  params="--rows $ROWS $args --seed 1"
  if [[ -f $file && -f $file.done && $(cat "$file.done") == "$params" ]]; then
    log "$universe: reusing $file"
  else
    log "$universe: generating $file ($params)"
    rm -f "$file.done"
    # shellcheck disable=SC2086 # params is a list of words on purpose
    "$gen_bin" gen $params -o "$file"
    echo "$params" >"$file.done"
  fi
  bytes=$(stat -c %s "$file")
  cat "$file" >/dev/null # into the page cache

  for name in file stdin catcat duck; do unset "BEST_WALL_$name"; done
  for i in 1 2 3; do
    log "$universe: run $i of 3"
    timed file bash "$REPO/run.sh" "$file" "$WORK/out-file.csv" && best file
    timed stdin bash -c 'cat "$1" | bash "$2" - "$3"' _ "$file" "$REPO/run.sh" "$WORK/out-stdin.csv" && best stdin
    timed catcat bash -c 'cat "$1" | cat > /dev/null' _ "$file" && best catcat
  done
  for i in 1 2; do
    log "$universe: DuckDB $i of 2"
    timed duck env DOTNET_gcServer=0 "$DUCKDB" duckdb "$file" "$WORK/out-duck.csv" && best duck
  done

  cmp "$WORK/out-file.csv" "$WORK/out-duck.csv" || die "$universe: run.sh's output differs from DuckDB's"
  cmp "$WORK/out-file.csv" "$WORK/out-stdin.csv" || die "$universe: the stdin output differs from the file output"

  ns_per_row=$(awk -v c="$BEST_CPU_file" -v r="$ROWS" 'BEGIN { printf "%.1f", c * 1e9 / r }')
  [[ $universe == 500 ]] && cpu_per_row_500=$ns_per_row
  [[ $universe == 17576-uniform ]] && cpu_per_row_uniform=$ns_per_row
  rows_out+=("$(awk -v u="$universe" -v by="$bytes" -v w="$BEST_WALL_file" -v us="$BEST_USER_file" -v n="$ns_per_row" \
    -v m="$BEST_RSS_file" -v d="$BEST_WALL_duck" -v s="$BEST_WALL_stdin" -v c="$BEST_WALL_catcat" 'BEGIN {
      printf "%-14s %8.0f %7.2f %7.2f %10s %8.0f %8.2f %8.1f× %8.2f %9.2f %9.2f\n",
        u, by / 1e6, w, us, n, m / 1024, d, d / (w > 0 ? w : 0.005), s, c, (s > 0 ? c / s : 0) }')")
done

# CPU per row of 17576-uniform over 500, paired: the two files alternate five times, so that each pair's ratio comes
# from runs seconds apart (the machine's other load moves between the universes' rows above, minutes apart).
paired=""
if [[ " $UNIVERSES " == *" 500 "* && " $UNIVERSES " == *" 17576-uniform "* ]]; then
  user_ratios=()
  cpu_ratios=()
  for i in 1 2 3 4 5; do
    log "CPU per row 17576-uniform ÷ 500, paired: round $i of 5"
    timed pair-500 bash "$REPO/run.sh" "$WORK/trades-$ROWS-500.csv" "$WORK/out-pair.csv"
    user_500=$USER cpu_500=$(awk -v u="$USER" -v s="$SYS" 'BEGIN { print u + s }')
    timed pair-uniform bash "$REPO/run.sh" "$WORK/trades-$ROWS-17576-uniform.csv" "$WORK/out-pair.csv"
    cpu_uniform=$(awk -v u="$USER" -v s="$SYS" 'BEGIN { print u + s }')
    user_ratios+=("$(awk -v a="$USER" -v b="$user_500" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')")
    cpu_ratios+=("$(awk -v a="$cpu_uniform" -v b="$cpu_500" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')")
  done
  # median (range) of a list of numbers
  summary() { printf '%s\n' "$@" | sort -n | awk '{ r[NR] = $1 } END { printf "median %.2f (%.2f–%.2f)", r[int((NR + 1) / 2)], r[1], r[NR] }'; }
  paired="user $(summary "${user_ratios[@]}"), user + sys $(summary "${cpu_ratios[@]}") over 5 alternated pairs"
fi

printf '\nROWS=%s, %s, %s\n' "$ROWS" "$(nproc) cores" "$(uptime | sed 's/.*load average: /load /')"
printf '%-14s %8s %7s %7s %10s %8s %8s %9s %8s %9s %9s\n' universe MB "wall s" "user s" "CPU ns/row" "RSS MB" "DuckDB s" \
  "DuckDB÷us" "stdin s" "cat|cat s" "stdin÷cat"
printf '%s\n' "${rows_out[@]}"
if [[ -n $cpu_per_row_500 && -n $cpu_per_row_uniform ]]; then
  awk -v a="$cpu_per_row_uniform" -v b="$cpu_per_row_500" \
    'BEGIN { printf "CPU per row, 17576-uniform ÷ 500: %.2f (user + sys of the rows above)\n", (b > 0 ? a / b : 0) }'
fi
[[ -n $paired ]] && printf 'CPU per row, 17576-uniform ÷ 500, paired: %s\n' "$paired"
printf 'outputs identical (run.sh file = stdin = DuckDB) for every universe\n'
