#!/usr/bin/env bash
# Builds every C example (examples/<name>/*.c) to wasm32-wasi.
# Usage: scripts/build-examples.sh [OUTPUT_DIR]
#   Without OUTPUT_DIR each .wasm is written next to its source (examples/<name>/<file>.wasm), which is where the
#   committed binaries live; with it, to OUTPUT_DIR/<name>/<file>.wasm. The output is byte-for-byte reproducible.
# Needs clang-14, lld-14 and wasi-libc (Debian: apt-get install clang-14 lld-14 wasi-libc); CC overrides the compiler.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cc="${CC:-clang-14}"

if ! command -v "$cc" >/dev/null 2>&1; then
  echo "build-examples: $cc not found; install clang-14, lld-14 and wasi-libc" >&2
  exit 1
fi

if [[ $# -gt 1 ]]; then
  echo "usage: $0 [OUTPUT_DIR]" >&2
  exit 2
fi

out="$root/examples"
if [[ $# -eq 1 ]]; then
  mkdir -p "$1"
  out="$(cd "$1" && pwd)"
fi

shopt -s nullglob
for src in "$root"/examples/*/*.c; do
  example="$(basename "$(dirname "$src")")"
  target="$out/$example/$(basename "$src" .c).wasm"
  mkdir -p "$(dirname "$target")"
  # Stripped: no names section, so the binary does not depend on where it was built.
  "$cc" --target=wasm32-wasi -O2 -fuse-ld=lld -Wl,--strip-all -o "$target" "$src"
  echo "built ${target#"$PWD"/}"
done
