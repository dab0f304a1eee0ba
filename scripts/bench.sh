#!/usr/bin/env bash
# Runs the benchmarks (instantiate+call with the default vs the pooling allocator, cold compile vs cache load).
# Extra arguments go to BenchmarkDotNet, e.g. scripts/bench.sh --job short.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project bench/Propeller.Benchmarks -- --filter '*' "$@"
