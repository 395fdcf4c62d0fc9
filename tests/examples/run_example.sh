#!/usr/bin/env bash
# Runs one reference program against a fresh mock container and mock MCP relay, and
# checks that it exits 0 and prints a line matching EXPECTED (an extended regex). With
# HIVEMIND_MOCK_TELEMETRY set to the telemetry mock's binary, that mock runs too; with
# HIVEMIND_MOCK_FLEET=N, N more mock containers behind the fake docker's `ps`.
#   run_example.sh RELAY_BINARY EXPECTED PROGRAM [ARGS...]
set -euo pipefail
relay_binary=$1 expected=$2
shift 2
# shellcheck source=../mock/mock-environment.sh
source "$(dirname "$0")/../mock/mock-environment.sh"
start_mock_environment "$relay_binary"
if [[ -n ${HIVEMIND_MOCK_TELEMETRY:-} ]]; then start_mock_telemetry "$HIVEMIND_MOCK_TELEMETRY"; fi
if [[ -n ${HIVEMIND_MOCK_FLEET:-} ]]; then start_mock_fleet "$HIVEMIND_MOCK_FLEET"; fi
cd "$MOCK_ROOT"  # files a program writes (03_outputs) go with the mock environment
export MOCK_AGENT_SECONDS=${MOCK_AGENT_SECONDS:-0.5}

status=0
"$@" >"$MOCK_ROOT/program.out" || status=$?
cat "$MOCK_ROOT/program.out"
if ((status != 0)); then
  echo "run_example: $1 exited $status" >&2
  exit 1
fi
grep -Eq -- "$expected" "$MOCK_ROOT/program.out" || {
  echo "run_example: no line matches '$expected'" >&2
  exit 1
}
