#!/usr/bin/env bash
# Latency of `status` and `list` against the real container (real-container.sh), in one run:
# bare `docker exec` from this shell loop (the baseline), the SDK in one process through each
# transport (bench/engine_latency.cpp: Engine API, CLI), and hivectl (process start + SDK).
# Median and 90th percentile of N runs each.
#   tests/engine/measure_latency.sh HIVECTL ENGINE_LATENCY [N]     (N defaults to 25)
set -uo pipefail
hivectl=$1 engine_latency=$2 runs=${3:-25}
# shellcheck source=real-container.sh
source "$(dirname "$0")/real-container.sh"
start_real_container || exit $?
script=/app/scripts/hive-session-manager.sh
uuid=$(docker exec "$REAL_CONTAINER" "$script" create "latency probe" medium "{}" 2>/dev/null)
export HIVEMIND_DOCKER=docker HIVEMIND_CONTAINER=$REAL_CONTAINER HIVEMIND_HOST_EXT_DIR=$REAL_EXT_DIR

microseconds() { # microseconds COMMAND...: one run, its wall time
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || echo "measure_latency: '$*' failed" >&2
  end=$(date +%s%N)
  echo $(((end - start) / 1000))
}
series() { # series LABEL COMMAND...: N runs (after one warm-up), "LABEL median p90" in ms
  local label=$1 samples=()
  shift
  microseconds "$@" >/dev/null
  for _ in $(seq "$runs"); do samples+=("$(microseconds "$@")"); done
  printf '%s\n' "${samples[@]}" | sort -n | awk -v label="$label" '
    { v[NR] = $1 }
    END { printf "%-28s median %7.1f ms   p90 %7.1f ms   (n=%d)\n", label,
          v[int((NR + 1) / 2)] / 1000, v[int(NR * 0.9 + 0.5)] / 1000, NR }'
}

echo "engine: $(docker version --format 'server {{.Server.Version}}, client {{.Client.Version}}')"
series "status: bare docker exec" docker exec "$REAL_CONTAINER" "$script" status "$uuid"
series "list: bare docker exec" docker exec "$REAL_CONTAINER" "$script" list
"$engine_latency" "$uuid" "$runs"
for transport in engine-api cli; do
  HIVEMIND_TRANSPORT=$transport series "status: hivectl $transport" "$hivectl" status "$uuid"
  HIVEMIND_TRANSPORT=$transport series "list: hivectl $transport" "$hivectl" list
done
