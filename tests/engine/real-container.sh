# Sourced (bash): start_real_container makes sure an engine answers (the private one of
# engine.sh when DOCKER_HOST does not), builds the test image, and runs one container of it
# (--network none, --init, /workspace/ext bind-mounted to a fresh host dir). It sets
# REAL_CONTAINER and REAL_EXT_DIR; stop_real_container (run on EXIT) removes both and stops
# the engine if it was started here; start_real_fleet N LABEL (after it) runs N more, each with
# its own bind-mounted dir, labelled LABEL, removed with it. Returns 77 with the reason printed when no engine can
# run here. Used by real_engine_test.sh and measure_latency.sh.

real_engine_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
real_engine_started=0
REAL_CONTAINER=
REAL_EXT_DIR=

REAL_FLEET=()

stop_real_container() {
  local member
  for member in "${REAL_FLEET[@]}"; do
    docker rm -f "$member" >/dev/null 2>&1
    rm -rf "$REAL_EXT_DIR-$member"
  done
  [[ -n $REAL_CONTAINER ]] && docker rm -f "$REAL_CONTAINER" >/dev/null 2>&1
  [[ -n $REAL_EXT_DIR ]] && rm -rf "$REAL_EXT_DIR"
  if ((real_engine_started)); then "$real_engine_dir/engine.sh" down; fi
  return 0
}

start_real_container() {
  trap stop_real_container EXIT
  if [[ -z ${DOCKER_HOST:-} ]] || ! docker version >/dev/null 2>&1; then
    if ! command -v dockerd >/dev/null; then
      echo "SKIPPED: dockerd is not installed (scripts/setup.sh installs docker.io)"
      return 77
    fi
    local line
    line=$("$real_engine_dir/engine.sh" up) || {
      echo "SKIPPED: dockerd does not start here (tests/engine/engine.sh up failed)"
      return 77
    }
    eval "$line"
    real_engine_started=1
  fi
  "$real_engine_dir/image.sh" || {
    echo "SKIPPED: the test image did not build (debootstrap needs the Debian archive)"
    return 77
  }
  REAL_EXT_DIR=$(mktemp -d -t hivemind-ext-XXXXXX)
  REAL_CONTAINER=hivemind-real-$$
  docker run -d --init --name "$REAL_CONTAINER" --network none \
    -v "$REAL_EXT_DIR:/workspace/ext" hivemind-test:bookworm >/dev/null || {
    echo "docker run failed" >&2
    return 1
  }
  docker exec "$REAL_CONTAINER" /app/scripts/hive-session-manager.sh init >/dev/null
}

start_real_fleet() { # start_real_fleet N LABEL: containers REAL_FLEET[@], labelled LABEL
  local index member
  for index in $(seq "$1"); do
    member=$REAL_CONTAINER-fleet-$index
    mkdir -p "$REAL_EXT_DIR-$member"
    REAL_FLEET+=("$member")
    docker run -d --init --name "$member" --network none --label "$2" \
      -v "$REAL_EXT_DIR-$member:/workspace/ext" hivemind-test:bookworm >/dev/null || return 1
    docker exec "$member" /app/scripts/hive-session-manager.sh init >/dev/null || return 1
  done
}
