#!/usr/bin/env bash
# Measures the whole system (docs/performance.md explains every figure):
#   scripts/bench.sh            the suite: engine floor + dispatch latency (embedded broker and Mosquitto) +
#                               throughput + fleet scale (both brokers) + footprint; prints the tables and writes
#                               bench/results/latest.json (under 10 minutes on 2 cores)
#   scripts/bench.sh bdn [...]  BenchmarkDotNet classes only; extra arguments go to BenchmarkDotNet, e.g.
#                               scripts/bench.sh bdn --filter '*Delivery*' (proxy chunks vs direct HTTP)
# Nothing here passes or fails on speed: every figure is a ratio or a distribution from one run on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if [[ "${1:-}" == bdn ]]; then
  shift
  filter=(--filter '*')
  for arg in "$@"; do
    if [[ "$arg" == --filter || "$arg" == -f || "$arg" == --filter=* ]]; then
      filter=()
    fi
  done
  exec dotnet run -c Release --project bench/Propeller.Benchmarks -- "${filter[@]}" "$@"
fi

command -v mosquitto >/dev/null || { echo "error: mosquitto is needed for the broker comparison (apt-get install mosquitto)" >&2; exit 1; }

mkdir -p bench/results
rm -f bench/results/*.json
for project in bench/Propeller.LoadDriver bench/Propeller.FleetSim; do
  dotnet build -c Release -v q -nologo "$project" >/dev/null || dotnet build -c Release -nologo "$project"
done
driver=(dotnet run -c Release --no-build --project bench/Propeller.LoadDriver --)
fleet=(dotnet run -c Release --no-build --project bench/Propeller.FleetSim --)

"${driver[@]}" dispatch
"${driver[@]}" throughput
# The same simulated fleets (heartbeats and 200 dispatched tasks) on Mosquitto and on the embedded broker.
"${fleet[@]}" fleet --broker mosquitto --proplets 1000,5000 --tasks 200
"${fleet[@]}" fleet --broker embedded --proplets 1000,5000 --tasks 200
"${fleet[@]}" footprint
"${driver[@]}" report
