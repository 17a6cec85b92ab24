#!/usr/bin/env bash
# Runs the batch trade analysis: bash run.sh [INPUT|-] [OUTPUT] [options]   (defaults input.csv output.csv)
# Builds TradeStat.Cli (Release, quietly) first when the binary is missing or older than its sources.
# Options are passed through (--skip-invalid, --threads N, --help).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin="$root/TradeStat.Cli/bin/Release/net10.0/TradeStat.Cli"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

needs_build() {
  [ -x "$bin" ] || return 0
  [ -n "$(find "$root/TradeStat.Cli" "$root/TradeStat.Domain" "$root/TradeStat.Infrastructure" \
      \( -name bin -o -name obj \) -prune -o \( -name '*.cs' -o -name '*.csproj' \) -newer "$bin" -print -quit)" ] && return 0
  [ -n "$(find "$root" -maxdepth 1 -name 'Directory.*.props' -newer "$bin" -print -quit)" ] && return 0
  return 1
}

if needs_build; then
  log=$(mktemp)
  if ! dotnet build "$root/TradeStat.Cli/TradeStat.Cli.csproj" -c Release -v q -nologo >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "run.sh: build failed" >&2
    exit 3
  fi
  rm -f "$log"
  touch "$bin"
fi
[ -n "${TRADESTAT_BUILD_ONLY:-}" ] && exit 0

args=()
[ $# -ge 1 ] && [[ "$1" != --* ]] && { args+=("$1"); shift; } || args+=("input.csv")
[ $# -ge 1 ] && [[ "$1" != --* ]] && { args+=("$1"); shift; } || args+=("output.csv")
exec "$bin" "${args[@]}" "$@"
