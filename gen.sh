#!/usr/bin/env bash
# Writes test trades: bash gen.sh [--rows N] [--symbols N] [--distribution sqrt|uniform|zipf] [--seed N] [--stdout | -o FILE]
# Defaults: 10,000,000 rows, 500 symbols, into input.csv. --distribution: how often each symbol is drawn: sqrt (the
# default: density ~ 1/sqrt(rank), a few symbols dominate), uniform (all equally often), zipf (rank k ~ 1/k^1.1).
# Example of more data than the disk holds:
#   bash gen.sh --rows 10G --stdout | bash run.sh -
# The generator is TradeStat.Cli's `gen` command, built by run.sh's rules when needed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
# Reuse run.sh's build step (it builds only when the binary is missing or stale; it prints the binary's path).
bin=$(TRADESTAT_BUILD_ONLY=1 bash "$root/run.sh")
exec "$bin" gen "$@"
