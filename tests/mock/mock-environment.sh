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

# first_line_matching NAME PID OUT LOG REGEX: waits (up to 10 s) until the server NAME,
# process PID, printed a line matching REGEX to OUT, and prints that match; fails with the
# server's LOG when it exited first.
first_line_matching() {
  local name=$1 pid=$2 out=$3 log=$4 regex=$5 attempt match
  for attempt in $(seq 100); do
    match=$(grep -Eo -m1 "$regex" "$out" 2>/dev/null) && { printf '%s\n' "$match"; return 0; }
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; return 1; }
    sleep 0.1
  done
  echo "$name did not start" >&2
  return 1
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
  HIVEMIND_MCP_PORT=$(first_line_matching "mock relay" "$mock_relay_pid" "$MOCK_ROOT/relay.port" \
    "$MOCK_ROOT/relay.log" '^[0-9]+$') || return 1

  export HIVEMIND_DOCKER="$mock_environment_dir/bin/docker"
  export HIVEMIND_HOST_EXT_DIR="$MOCK_ROOT/workspace/ext"
  export HIVEMIND_MCP_HOST=127.0.0.1
  export HIVEMIND_MCP_PORT
}

# start_mock_telemetry BINARY (after start_mock_environment): the port-3002 telemetry mock
# on an ephemeral port, and HIVEMIND_WS_URL pointing at it.
start_mock_telemetry() {
  "$1" --port 0 >"$MOCK_ROOT/telemetry.out" 2>"$MOCK_ROOT/telemetry.log" &
  mock_telemetry_pid=$!
  HIVEMIND_WS_URL=$(first_line_matching "mock telemetry server" "$mock_telemetry_pid" \
    "$MOCK_ROOT/telemetry.out" "$MOCK_ROOT/telemetry.log" 'ws://127\.0\.0\.1:[0-9]+/') || return 1
  export HIVEMIND_WS_URL
}
