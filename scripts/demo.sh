#!/usr/bin/env bash
# The end-to-end demo: builds hivectl, starts the bundled mock container and the mock MCP
# relay in a temporary directory (both stopped and removed on exit), spawns a task with
# hivectl and follows it with progress to completion, then shows its metadata, outputs
# and metrics; then spreads tasks over a fleet of three more mock containers.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cmake --preset dev >/dev/null
cmake --build --preset dev --target hivectl hivemind_mock_relay 10_fleet

# shellcheck source=../tests/mock/mock-environment.sh
source tests/mock/mock-environment.sh
start_mock_environment build/dev/tests/mcp/hivemind_mock_relay
export MOCK_AGENT_SECONDS="${MOCK_AGENT_SECONDS:-3}" MOCK_AGENT_FILES=4 MOCK_AGENT_LOGLINES=6
hivectl=build/dev/tools/hivectl/hivectl

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "mock container root $MOCK_ROOT, mock MCP relay on 127.0.0.1:$HIVEMIND_MCP_PORT"
step "hivectl spawn --follow: status changes and the task's log, until it ends"
$hivectl spawn "Build a Rust CLI tool for parsing log files" --priority high \
  --meta '{"project":"log-parser","requester":"demo"}' --follow
session=$($hivectl list --json | jq -r '.sessions[0].session_id')

step "hivectl get $session"
$hivectl get "$session"
step "hivectl outputs $session"
$hivectl outputs "$session"
step "hivectl metrics $session (MCP session_metrics)"
$hivectl metrics "$session"
step "hivectl list"
$hivectl list

step "a fleet: three mock containers found by label (docker ps), six tasks spread over them"
start_mock_fleet 3
build/dev/examples/10_fleet label=app=hive-mind 6

step "hivectl --fleet: the same containers from a fleet file, one row per target, then every session"
printf '{"docker": [{"filters": ["label=app=hive-mind"]}]}\n' >"$MOCK_ROOT/fleet.hivectl.json"
$hivectl --fleet "$MOCK_ROOT/fleet.hivectl.json" list
