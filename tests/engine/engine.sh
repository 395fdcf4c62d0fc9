#!/usr/bin/env bash
# A private Docker engine for the real-engine tests: Debian's dockerd (docker.io), its state
# under HIVEMIND_ENGINE_DIR (default /tmp/hivemind-engine), a socket of its own, no iptables
# rules and no bridge (test containers run with --network none), storage overlay2, vfs when
# overlay2 does not start. Touches no other engine: `down` stops only the dockerd it started.
#   tests/engine/engine.sh up       start it (no-op when it runs); prints the DOCKER_HOST line
#   tests/engine/engine.sh down     stop it and remove its state
#   tests/engine/engine.sh env      print `export DOCKER_HOST=unix://…/docker.sock`
#   tests/engine/engine.sh status   exit 0 when it answers
set -euo pipefail
dir=${HIVEMIND_ENGINE_DIR:-/tmp/hivemind-engine}
socket=$dir/docker.sock
pidfile=$dir/dockerd.pid
export DOCKER_HOST=unix://$socket

answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

running_pid() {
  [[ -s $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null && cat "$pidfile"
}

start_with() { # start_with DRIVER: 0 once the daemon answers, 1 when it exited or timed out
  local driver=$1 attempt
  mkdir -p "$dir/root" "$dir/exec"
  dockerd --host "$DOCKER_HOST" --data-root "$dir/root" --exec-root "$dir/exec" \
    --pidfile "$pidfile" --iptables=false --ip6tables=false --bridge=none \
    --storage-driver "$driver" >>"$dir/dockerd.log" 2>&1 &
  local pid=$!
  for attempt in $(seq 120); do
    answers && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.25
  done
  kill "$pid" 2>/dev/null || true
  return 1
}

case ${1:-} in
  up)
    if ! running_pid >/dev/null; then
      command -v dockerd >/dev/null || {
        echo "engine: dockerd not installed (scripts/setup.sh installs docker.io)" >&2
        exit 1
      }
      mkdir -p "$dir"
      : >"$dir/dockerd.log"
      if ! start_with overlay2; then
        echo "engine: overlay2 did not start; trying vfs" >&2
        rm -rf "$dir/root"
        start_with vfs || {
          echo "engine: dockerd did not start; its log:" >&2
          tail -n 20 "$dir/dockerd.log" >&2
          exit 1
        }
      fi
    fi
    echo "export DOCKER_HOST=$DOCKER_HOST"
    ;;
  down)
    if pid=$(running_pid); then
      kill "$pid"
      for _ in $(seq 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    # Container mounts left by a killed daemon would keep the state directory busy.
    grep -o " $dir/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf "$dir"
    ;;
  env) echo "export DOCKER_HOST=$DOCKER_HOST" ;;
  status) answers ;;
  *)
    echo "usage: $0 up|down|env|status" >&2
    exit 2
    ;;
esac
