# Sourced (bash): start_mock_environment RELAY_BINARY sets up a fresh mock container in a
# temporary MOCK_ROOT and starts the mock MCP relay (documented session tools on, an
# ephemeral port on 127.0.0.1), then exports the HIVEMIND_* variables that point the SDK,
# hivectl and the examples at both. Everything is stopped and removed on exit.
# Used by scripts/demo.sh and tests/examples/run_example.sh.

mock_environment_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mock_relay_pid=
mock_telemetry_pid=

stop_mock_environment() {
  if [[ -n $mock_telemetry_pid ]]; then
    kill "$mock_telemetry_pid" 2>/dev/null || true
    wait "$mock_telemetry_pid" 2>/dev/null || true
  fi
  if [[ -n $mock_relay_pid ]]; then
    kill "$mock_relay_pid" 2>/dev/null || true
    wait "$mock_relay_pid" 2>/dev/null || true
  fi
  if [[ -n ${MOCK_ROOT:-} ]]; then
    "$mock_environment_dir/mock-container" kill-all >/dev/null 2>&1 || true
    rm -rf "$MOCK_ROOT"
  fi
}

start_mock_environment() {
  local relay_binary=$1
  MOCK_ROOT=$(mktemp -d -t hivemind-mock-XXXXXX)
  export MOCK_ROOT
  trap stop_mock_environment EXIT
  trap 'exit 130' INT TERM
  "$mock_environment_dir/mock-container" init

  "$relay_binary" --documented-tools >"$MOCK_ROOT/relay.port" 2>"$MOCK_ROOT/relay.log" &
  mock_relay_pid=$!
  # The relay prints its port once it listens.
  local attempt
  for attempt in $(seq 100); do
    [[ -s $MOCK_ROOT/relay.port ]] && break
    kill -0 "$mock_relay_pid" 2>/dev/null || { cat "$MOCK_ROOT/relay.log" >&2; return 1; }
    sleep 0.1
  done
  [[ -s $MOCK_ROOT/relay.port ]] || { echo "mock relay did not start" >&2; return 1; }

  export HIVEMIND_DOCKER="$mock_environment_dir/bin/docker"
  export HIVEMIND_HOST_EXT_DIR="$MOCK_ROOT/workspace/ext"
  export HIVEMIND_MCP_HOST=127.0.0.1
  HIVEMIND_MCP_PORT=$(head -n1 "$MOCK_ROOT/relay.port")
  export HIVEMIND_MCP_PORT
}

# start_mock_telemetry BINARY (after start_mock_environment): the port-3002 telemetry mock
# on an ephemeral port, and HIVEMIND_WS_URL pointing at it.
start_mock_telemetry() {
  local binary=$1 attempt line=
  "$binary" --port 0 >"$MOCK_ROOT/telemetry.out" 2>"$MOCK_ROOT/telemetry.log" &
  mock_telemetry_pid=$!
  for attempt in $(seq 100); do
    line=$(grep -o 'ws://127.0.0.1:[0-9]*/' "$MOCK_ROOT/telemetry.out" 2>/dev/null || true)
    [[ -n $line ]] && break
    kill -0 "$mock_telemetry_pid" 2>/dev/null || { cat "$MOCK_ROOT/telemetry.log" >&2; return 1; }
    sleep 0.1
  done
  [[ -n $line ]] || { echo "mock telemetry server did not start" >&2; return 1; }
  export HIVEMIND_WS_URL=$line
}
