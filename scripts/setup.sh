#!/usr/bin/env bash
# Installs the Debian 12 packages the project builds, tests and demos with.
# Does nothing (and needs no network) when they are all present already.
set -euo pipefail

packages=(
  cmake ninja-build g++ clang lld
  libboost1.81-dev nlohmann-json3-dev libspdlog-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  jq procps util-linux
  curl pkg-config
  libcli11-dev
  libclang-rt-14-dev clang-tidy
  doxygen
  docker.io debootstrap
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
sudo_cmd=()
if ((EUID != 0)); then sudo_cmd=(sudo); fi
"${sudo_cmd[@]}" apt-get update -q
# docker.io's package scripts would start the machine's own dockerd; the real-engine tests
# start a private one (tests/engine/engine.sh), so no service is started during the install.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
  "${sudo_cmd[@]}" chmod +x "$policy"
  trap '"${sudo_cmd[@]}" rm -f "$policy"' EXIT
fi
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
