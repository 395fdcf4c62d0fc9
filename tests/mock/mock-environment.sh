# Sourced (bash): start_mock_environment RELAY_BINARY sets up a fresh mock container in a
# temporary MOCK_ROOT and starts the mock MCP relay (documented session tools on, an
# ephemeral port on 127.0.0.1), then exports the HIVEMIND_* variables that point the SDK,
# hivectl and the examples at both. Everything is stopped and removed on exit.
# Used by scripts/demo.sh and tests/examples/run_example.sh.

mock_environment_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mock_relay_pid=
mock_telemetry_pid=
mock_fleet_roots=()

stop_mock_environment() {
  if [[ -n $mock_telemetry_pid ]]; then
    kill "$mock_telemetry_pid" 2>/dev/null || true
    wait "$mock_telemetry_pid" 2>/dev/null || true
  fi
  if [[ -n $mock_relay_pid ]]; then
    kill "$mock_relay_pid" 2>/dev/null || true
    wait "$mock_relay_pid" 2>/dev/null || true
  fi
  local fleet_root
  for fleet_root in "${mock_fleet_roots[@]}"; do
    MOCK_ROOT=$fleet_root "$mock_environment_dir/mock-container" kill-all >/dev/null 2>&1 || true
  done
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

# start_mock_fleet N (after start_mock_environment): N more mock containers hive-1..hive-N,
# each its own root under $MOCK_ROOT/fleet/, running and labelled app=hive-mind in the fake
# docker's container registry ($MOCK_DOCKER_CONTAINERS, tests/mock/README.md), so that
# `docker ps --filter label=app=hive-mind` discovers them. Removed with the environment.
start_mock_fleet() {
  local count=$1 index root entries=()
  for index in $(seq "$count"); do
    root="$MOCK_ROOT/fleet/hive-$index"
    mkdir -p "$root"
    MOCK_ROOT=$root "$mock_environment_dir/mock-container" init
    mock_fleet_roots+=("$root")
    # docker prints 64 hex digits per id; any distinct ones do for the fake.
    entries+=("$(jq -n --arg name "hive-$index" --arg root "$root" \
      --arg id "$(printf 'f1ee7%059d' "$index")" \
      '{name: $name, id: $id, root: $root, labels: {app: "hive-mind"}, running: true}')")
  done
  MOCK_DOCKER_CONTAINERS="$MOCK_ROOT/fleet.json"
  printf '%s\n' "${entries[@]}" | jq -s . >"$MOCK_DOCKER_CONTAINERS"
  export MOCK_DOCKER_CONTAINERS
}
