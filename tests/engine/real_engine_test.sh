#!/usr/bin/env bash
# hivectl against a real dockerd running a real container of the test image
# (tests/engine/image.sh), once through each transport of the SDK (the docker CLI, the
# Docker Engine API): lifecycle, outputs through the bind mount, a failing task seen dead,
# cancel with no process left behind, cleanup, the engine's own errors (stopped container,
# unknown container, daemon down), and nothing left running in the container after a
# timed-out call, a cancelled call and a stopped `logs -f`. Starts the private engine (tests/engine/engine.sh) unless
# DOCKER_HOST already answers, and stops only what it started.
# With FLEET_EXAMPLE (examples/10_fleet), a fleet of three more real containers found by label
# runs six tasks spread over them.
#   tests/engine/real_engine_test.sh HIVECTL [FLEET_EXAMPLE]   prints `N passed, M failed`
# Exit 77 (skipped, with the reason) when no engine can run here.
set -uo pipefail
hivectl=$1 fleet_example=${2:-}
# shellcheck source=real-container.sh
source "$(dirname "$0")/real-container.sh"
passed=0 failed=0
start_real_container
status=$?
if ((status == 77)); then exit 77; fi
((status == 0)) || exit 1
container=$REAL_CONTAINER ext=$REAL_EXT_DIR

export HIVEMIND_DOCKER=docker HIVEMIND_CONTAINER=$container HIVEMIND_HOST_EXT_DIR=$ext
export HIVEMIND_TIMEOUT=30

verdict() { # verdict NAME TRUE|FALSE WHY TEXT: counts and prints one check
  if [[ $2 == true ]]; then
    passed=$((passed + 1))
    echo "ok   $1"
  else
    failed=$((failed + 1))
    echo "FAIL $1: $3"
    printf '%s\n' "$4" | tail -n 15 | sed 's/^/     /'
  fi
}
check() { # check NAME EXPECTED_EXIT COMMAND...: runs it, compares the exit code
  local name=$1 expected=$2
  shift 2
  last_output=$("$@" 2>&1)
  local status=$?
  verdict "$name" "$( ((status == expected)) && echo true || echo false)" \
    "exit $status, expected $expected; output:" "$last_output"
}
expect_in() { # expect_in NAME PATTERN: the last command's output matches PATTERN
  verdict "$1" "$(grep -Eq -- "$2" <<<"$last_output" && echo true || echo false)" \
    "no line matches '$2' in:" "$last_output"
}
agents_left() { # the fake agents still running in the container
  docker exec "$container" pgrep -c -f 'claude-flow hive-mind' 2>/dev/null || true
}

left_in_container() { # left_in_container PATTERN: how many container processes match
  docker exec "$container" pgrep -c -f "$1" 2>/dev/null || true
}
verdict_none_left() { # verdict_none_left NAME PATTERN
  local left
  left=$(left_in_container "$2")
  verdict "$1" "$([[ $left == 0 ]] && echo true || echo false)" "$left processes match '$2'" \
    "$(docker exec "$container" ps -eo pid,args 2>&1)"
}
# Runs HIVECTL_ARGS... in the background until PATTERN shows in the container, then sends
# SIGINT and waits for hivectl; sets interrupted_status.
interrupt_when_running() { # interrupt_when_running PATTERN HIVECTL_ARGS...
  local pattern=$1
  shift
  "$hivectl" "$@" >/dev/null 2>&1 &
  local pid=$! tries
  for ((tries = 0; tries < 200; tries++)); do
    [[ $(left_in_container "$pattern") != 0 ]] && break
    docker exec "$container" sleep 0.05
  done
  kill -INT "$pid"
  wait "$pid"
  interrupted_status=$?
}

# A verb that hangs: the session manager's stand-in sleeps, as a frozen script would.
docker exec "$container" sh -c 'printf "#!/bin/sh\nsleep 300\n" > /app/scripts/frozen.sh &&
  chmod +x /app/scripts/frozen.sh'

suite() { # suite TRANSPORT: every check through `hivectl --transport TRANSPORT`
  export HIVEMIND_TRANSPORT=$1
  echo "== transport $1"
  "$hivectl" cleanup --max-age 0 >/dev/null  # the sessions of the previous suite
  check "spawn --follow completes" 0 "$hivectl" spawn "real engine #sleep=1 #files=3" --follow
  expect_in "the log went through" "step"
  uuid=$("$hivectl" list --json | jq -r ".sessions[0].session_id")
  check "status of the finished session" 0 "$hivectl" status "$uuid"
  expect_in "status says completed" "completed"
  check "outputs through the bind mount" 0 "$hivectl" outputs "$uuid" --json
  files=$(jq '.files | length' <<<"$last_output" 2>/dev/null)
  verdict "three output files" "$([[ $files == 3 ]] && echo true || echo false)" \
    "${files:-no} files listed:" "$last_output"
  owner=$(stat -c %u "$ext/hive-sessions/$uuid" 2>/dev/null || echo '?')
  echo "note output directory owner uid on the host: $owner"

  check "a failing task is seen dead" 4 "$hivectl" spawn "fails #sleep=0.5 #exit=3" --follow

  check "spawn a long task" 0 "$hivectl" spawn "long #sleep=120" --json
  long=$(jq -r '.session_id' <<<"$last_output")
  check "cancel it" 0 "$hivectl" cancel "$long"
  check "wait reports it failed" 3 "$hivectl" wait "$long"
  left=$(agents_left)
  verdict "no agent left in the container after cancel" "$([[ $left == 0 ]] && echo true || echo false)" \
    "$left agent processes left" ""
  check "cleanup" 0 "$hivectl" cleanup --max-age 0

  HIVEMIND_CONTAINER=no-such-container-$$ check "unknown container is a connection error" 7 \
    "$hivectl" list
  expect_in "the daemon's words" "No such container"
  docker stop -t 1 "$container" >/dev/null
  check "stopped container is a connection error" 7 "$hivectl" list
  expect_in "the daemon's words" "is not running"
  docker start "$container" >/dev/null
  DOCKER_HOST=unix:///nonexistent/docker.sock check "daemon down is a connection error" 7 \
    "$hivectl" list
  expect_in "the engine's words" "Cannot connect to the Docker daemon"

  check "a frozen call times out" 6 "$hivectl" --script /app/scripts/frozen.sh --call-timeout 1s list
  verdict_none_left "nothing left in the container after the timeout" "frozen.sh|sleep 300"
  interrupt_when_running "frozen.sh" --script /app/scripts/frozen.sh list
  verdict "Ctrl-C cancels the frozen call" "$( ((interrupted_status == 130)) && echo true || echo false)" \
    "exit $interrupted_status, expected 130" ""
  verdict_none_left "nothing left in the container after the cancel" "frozen.sh|sleep 300"
  check "spawn a task to follow" 0 "$hivectl" spawn "followed #sleep=120" --json
  followed=$(jq -r '.session_id' <<<"$last_output")
  interrupt_when_running "tail -F" logs -f "$followed"
  verdict "Ctrl-C stops following" "$( ((interrupted_status == 130)) && echo true || echo false)" \
    "exit $interrupted_status, expected 130" ""
  verdict_none_left "no tail left in the container after the follow" "tail -F"
  check "cancel the followed task" 0 "$hivectl" cancel "$followed"
}

suite cli
suite engine-api

if [[ -n $fleet_example ]]; then
  echo "== a fleet of three real containers"
  label=hivemind-fleet=$$
  start_real_fleet 3 "$label"
  verdict "three more containers run" "$( ((${#REAL_FLEET[@]} == 3)) && echo true || echo false)" \
    "${#REAL_FLEET[@]} started" "$(docker ps 2>&1)"
  check "six tasks over the fleet complete" 0 "$fleet_example" "label=$label" 6
  expect_in "two on each container" \
    "^fleet: 6 of 6 sessions completed \\($container-fleet-1=2 $container-fleet-2=2 $container-fleet-3=2\\)$"
  expect_in "one list per container per tick" "over 3 watchers"
fi

echo "$passed passed, $failed failed"
((failed == 0))
