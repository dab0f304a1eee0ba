#!/usr/bin/env bash
# Runs every test. As root on Debian it first installs the real servers and toolchains the tests use
# (mosquitto as a third-party MQTT peer, Docker's registry as a real OCI registry, PostgreSQL 15 for the postgres
# storage backend, clang + wasi-libc to rebuild the C examples, cmake + a C compiler + libmosquitto for the
# embedded C proplet's host build). Then it runs the embedded proplet's C tests (ctest, plain and under
# AddressSanitizer/UBSan) and every .NET test.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(mosquitto mosquitto-clients docker-registry postgresql clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32
  cmake make gcc libc6-dev libmosquitto-dev openssl)
# initdb refuses to run as root: as root the PostgreSQL fixture runs it through runuser (util-linux) as 'postgres'.
if [[ $(id -u) -eq 0 ]] && ! command -v runuser >/dev/null; then packages+=(util-linux); fi
# Node's built-in WASI is the second engine behind the host-runtime tests; any node on PATH will do.
command -v node >/dev/null || packages+=(nodejs)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "Installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "warning: missing packages (${missing[*]}); run as root to install them. Tests that need them will fail under CI=true." >&2
  fi
fi

# Services started by Debian's packages would hold ports 1883, 5000 and 5432; tests use their own ports, but stop them.
for service in mosquitto docker-registry postgresql; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$service" 2>/dev/null; then
    systemctl stop "$service" || true
  fi
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# The embedded proplet's host build links the libwasmtime.so of the Wasmtime NuGet package: restore fetches it.
dotnet restore Propeller.slnx -v q
for variant in host asan; do
  build="embedded/build-$variant"
  sanitize=OFF
  [[ $variant == asan ]] && sanitize=ON
  cmake -S embedded -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPROPLET_SANITIZE=$sanitize >/dev/null
  cmake --build "$build" --parallel 2 >/dev/null || cmake --build "$build"
  ctest --test-dir "$build" --output-on-failure --timeout 300
done

dotnet test Propeller.slnx --blame-hang-timeout 5m "$@"
