#!/usr/bin/env bash
# Writes test trades: bash gen.sh [--rows N] [--symbols N] [--seed N] [--stdout | -o FILE]
# Defaults: 10,000,000 rows into input.csv. Example of more data than the disk holds:
#   bash gen.sh --rows 10G --stdout | bash run.sh -
# The generator is TradeStat.Cli's `gen` command, built by run.sh's rules when needed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
# Reuse run.sh's build step (it builds only when the binary is missing or stale; it prints the binary's path).
bin=$(TRADESTAT_BUILD_ONLY=1 bash "$root/run.sh")
exec "$bin" gen "$@"
