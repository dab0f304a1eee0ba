#!/usr/bin/env bash
# Runs the benchmarks (instantiate+call with the default vs the pooling allocator, cold compile vs cache load,
# Wasm delivery over HTTP vs the proxy's MQTT chunks). Extra arguments go to BenchmarkDotNet, e.g.
# scripts/bench.sh --job short, or scripts/bench.sh --filter '*Delivery*' for one class (then no default filter).
set -euo pipefail
cd "$(dirname "$0")/.."
filter=(--filter '*')
for arg in "$@"; do
  if [[ "$arg" == --filter || "$arg" == -f || "$arg" == --filter=* ]]; then
    filter=()
  fi
done
dotnet run -c Release --project bench/Propeller.Benchmarks -- "${filter[@]}" "$@"
