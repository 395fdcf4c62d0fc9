#!/usr/bin/env bash
# The end-to-end demo: builds the SDK, starts the bundled mock container in a temporary
# directory, spawns a task through the SDK, follows it to completion and prints its outputs.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cmake --preset dev >/dev/null
cmake --build --preset dev --target spawn_and_wait

MOCK_ROOT="$(mktemp -d -t hivemind-demo-XXXXXX)"
export MOCK_ROOT
trap 'tests/mock/mock-container kill-all >/dev/null 2>&1 || true; rm -rf "$MOCK_ROOT"' EXIT
tests/mock/mock-container init

export HIVEMIND_DOCKER="$PWD/tests/mock/bin/docker"
export HIVEMIND_HOST_EXT_DIR="$MOCK_ROOT/workspace/ext"
export MOCK_AGENT_SECONDS="${MOCK_AGENT_SECONDS:-3}" MOCK_AGENT_FILES=4 MOCK_AGENT_LOGLINES=6

echo "mock container root: $MOCK_ROOT"
build/dev/examples/spawn_and_wait "Build a Rust CLI tool for parsing log files"
