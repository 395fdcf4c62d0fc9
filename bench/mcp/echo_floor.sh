#!/usr/bin/env bash
# The MCP client on the echo floor next to Node, in one run. Builds nothing: build first with
#   cmake --preset bench && ninja -C build/bench hivemind_mcp_bench hivemind_mcp_echo_server
# Usage: bench/mcp/echo_floor.sh [BUILD_DIR] [ROUNDS]   (default build/bench, 5 rounds)
#
# One echo server serves every client. On a machine with two or more cores the server is
# pinned to core 1 and each client, C++ or Node, to core 0, so every client gets the same
# single core. A shared VM's speed drifts over minutes: each round measures, window by
# window, the C++ client (typed and call_raw) and right after it the two Node clients, and
# each ratio is taken within a round; the table shows medians over the rounds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-$here/../../build/bench}"
rounds="${2:-5}"
bench="$build/bench/mcp/hivemind_mcp_bench"
server="$build/bench/mcp/hivemind_mcp_echo_server"
total=100000
windows=(16 64 256)
results="$(mktemp)"

server_core=() client_core=()
if command -v taskset >/dev/null && (($(nproc) >= 2)); then
  server_core=(taskset -c 1) client_core=(taskset -c 0)
fi

portfile="$(mktemp)"
"${server_core[@]}" "$server" >"$portfile" &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; rm -f "$portfile" "$results"' EXIT
until [ -s "$portfile" ]; do sleep 0.05; done
read -r port <"$portfile"

# One line per measurement in $results: ROUND KIND WINDOW REQ_PER_S CPU_US [ALLOCS].
# node_lean: node_echo_client.js (JSON only); node_client: node_rpc_client.js (a client as
# applications write one: promise, pending map and deadline timer per call).
for ((round = 1; round <= rounds; ++round)); do
  for window in "${windows[@]}"; do
    out="$("${client_core[@]}" "$bench" --echo-floor "$port" "$window")"
    awk -v r="$round" '/^sequential p50/ {print r, "seq", 0, $6, $10, $15}' <<<"$out" >>"$results"
    awk -v r="$round" '$1=="typed" || $1=="call_raw" {print r, $1, $2, $5, $3, $4}' \
      <<<"$out" >>"$results"
    for kind in node_lean:node_echo_client.js node_client:node_rpc_client.js; do
      read -r rate cpu < <("${client_core[@]}" node "$here/${kind#*:}" "$port" "$window" "$total")
      echo "$round ${kind%%:*} $window $rate $cpu" >>"$results"
    done
  done
done

value() { awk -v r="$1" -v k="$2" -v w="$3" -v c="$4" '$1==r && $2==k && $3==w {print $c}' "$results"; }
median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
# The median over rounds of column COL for KIND at WINDOW.
median_of() { for ((r = 1; r <= rounds; ++r)); do value "$r" "$@"; done | median; }
# The median over rounds of KIND_A's req/s over KIND_B's, each ratio within one round.
median_ratio() {
  for ((r = 1; r <= rounds; ++r)); do
    awk -v a="$(value "$r" "$1" "$3" 4)" -v b="$(value "$r" "$2" "$3" 4)" 'BEGIN{print a/b}'
  done | median
}

echo "all measurements: round kind in_flight req/s cpu_us/call [allocs/call]; the 'seq' rows"
echo "hold the sequential p50 in us of a raw Asio echo, call_raw and call_tool"
cat "$results"
echo
echo "medians of $rounds rounds (clients pinned: ${client_core[*]:-no})"
raw_p50="$(median_of seq 0 4)"
call_raw_p50="$(median_of seq 0 5)"
typed_p50="$(median_of seq 0 6)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
echo "sequential p50: raw asio echo $raw_p50 us | call_raw $call_raw_p50 us" \
  "($(ratio "$call_raw_p50" "$raw_p50")x) | call_tool $typed_p50 us ($(ratio "$typed_p50" "$raw_p50")x)"
row() { printf '%-9s %16s %16s %16s %16s %8s %8s %8s\n' "$@"; }
row in_flight node_lean node_client typed call_raw typed/ typed/ raw/
row "" "req/s" "req/s" "req/s" "req/s" client lean lean
for window in "${windows[@]}"; do
  rate() { median_of "$1" "$window" 4; }
  cpu() { echo "$(median_of "$1" "$window" 5) us"; }
  row "$window" "$(rate node_lean)" "$(rate node_client)" "$(rate typed)" "$(rate call_raw)" \
    "$(printf %.2f "$(median_ratio typed node_client "$window")")" \
    "$(printf %.2f "$(median_ratio typed node_lean "$window")")" \
    "$(printf %.2f "$(median_ratio call_raw node_lean "$window")")"
  row "  cpu" "$(cpu node_lean)" "$(cpu node_client)" "$(cpu typed)" "$(cpu call_raw)"
  row "  allocs" "" "" "$(median_of typed "$window" 6)" "$(median_of call_raw "$window" 6)"
done

echo
"${client_core[@]}" "$bench" --benchmark_filter=BM_MemoryPerPendingRequest 2>/dev/null |
  grep -E "bytes_per_pending|Memory"
