#!/usr/bin/env bash
# Runs the batch trade analysis: bash run.sh [INPUT|-] [OUTPUT] [options]   (defaults input.csv output.csv)
# Builds TradeStat.Cli first when it is missing or older than its sources: Native AOT (no JIT start-up or warm-up;
# needs clang), or the JIT build when AOT cannot be built here (TRADESTAT_JIT=1 forces it).
# Options are passed through (--skip-invalid, --threads N, --help).
set -euo pipefail
# The repository's absolute path without a subshell or dirname: this script runs before every analysis, and each
# fork costs about a millisecond (the whole check below takes ~8 ms, most of it its one find).
src=${BASH_SOURCE[0]}
[[ -L $src ]] && src=$(readlink -f -- "$src") # called through a link to this file: the repository is the target's
here=$PWD
case $src in */*) CDPATH='' cd -- "${src%/*}" >/dev/null ;; esac
root=$PWD
cd -- "$here"
cli="$root/TradeStat.Cli"
native="$cli/bin/native/TradeStat.Cli"
jit="$cli/bin/Release/net10.0/TradeStat.Cli"
stamp="$cli/bin/run.sh.built" # the binary built last (+ " forced" for TRADESTAT_JIT=1); newer than its sources
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

needs_build() {
  [ -f "$stamp" ] && read -r built how <"$stamp" && [ -x "$built" ] || return 0
  # TRADESTAT_JIT=1 asks for the JIT build; without it, a forced JIT build is replaced (a fallback one is kept).
  [ "${TRADESTAT_JIT:-}" = 1 ] && [ "$built" != "$jit" ] && return 0
  [ "${TRADESTAT_JIT:-}" != 1 ] && [ "${how:-}" = forced ] && return 0
  # One find for the sources and the repository's Directory.*.props.
  local props
  shopt -s nullglob
  props=("$root"/Directory.*.props)
  shopt -u nullglob
  [ -n "$(find "$cli" "$root/TradeStat.Domain" "$root/TradeStat.Infrastructure" "${props[@]}" \
      \( -name bin -o -name obj \) -prune -o \( -name '*.cs' -o -name '*.csproj' -o -name 'Directory.*.props' \) \
      -newer "$stamp" -print -quit)" ] && return 0
  return 1
}

# Native AOT for the machine that builds it (IlcInstructionSet=native: this script builds where it runs).
build_native() {
  local rid
  [ "$(uname -s)" = Linux ] || return 1
  case "$(uname -m)" in
    x86_64) rid=linux-x64 ;;
    aarch64 | arm64) rid=linux-arm64 ;;
    *) return 1 ;;
  esac
  # The ILCompiler links with clang (clang or clang-NN on the PATH).
  [ -n "$(compgen -c | grep -E '^clang(-[0-9]+)?$')" ] || { echo "no clang on the PATH" >"$1"; return 1; }
  dotnet publish "$cli/TradeStat.Cli.csproj" -c Release -r "$rid" -p:IlcInstructionSet=native \
    -o "$cli/bin/native" -v q -nologo >"$1" 2>&1
}

if needs_build; then
  log=$(mktemp)
  mkdir -p "$cli/bin"
  if [ "${TRADESTAT_JIT:-}" != 1 ] && build_native "$log"; then
    bin=$native
  elif { [ "${TRADESTAT_JIT:-}" = 1 ] || cp "$log" "$cli/bin/native-build.log"; } &&
      dotnet build "$cli/TradeStat.Cli.csproj" -c Release -v q -nologo >>"$log" 2>&1; then
    bin=$jit
    [ "${TRADESTAT_JIT:-}" = 1 ] ||
      echo "run.sh: no Native AOT build here (needs clang; see $cli/bin/native-build.log); using the JIT build" >&2
  else
    cat "$log" >&2
    rm -f "$log"
    echo "run.sh: build failed" >&2
    exit 3
  fi
  rm -f "$log"
  printf '%s%s\n' "$bin" "$([ "${TRADESTAT_JIT:-}" = 1 ] && echo ' forced')" >"$stamp"
fi
read -r bin _ <"$stamp"
[ -n "${TRADESTAT_BUILD_ONLY:-}" ] && { printf '%s\n' "$bin"; exit 0; }

args=()
[ $# -ge 1 ] && [[ "$1" != --* ]] && { args+=("$1"); shift; } || args+=("input.csv")
[ $# -ge 1 ] && [[ "$1" != --* ]] && { args+=("$1"); shift; } || args+=("output.csv")
exec "$bin" "${args[@]}" "$@"
