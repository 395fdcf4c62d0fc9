#!/usr/bin/env bash
# The MCP client on the echo floor next to Node, in one run. Builds nothing: build first with
#   cmake --preset bench && ninja -C build/bench hivemind_mcp_bench hivemind_mcp_echo_server
# Usage: bench/mcp/echo_floor.sh [BUILD_DIR]   (default build/bench)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-$here/../../build/bench}"
bench="$build/bench/mcp/hivemind_mcp_bench"
server="$build/bench/mcp/hivemind_mcp_echo_server"
total=100000

out="$("$bench" --echo-floor "$server")"
echo "$out"

# Node on the same echo server (its own process; started once for all runs): the lean
# floor (node_echo_client.js: JSON only) and a client as applications write one
# (node_rpc_client.js: promise, pending map and deadline timer per call).
portfile="$(mktemp)"
"$server" >"$portfile" &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; rm -f "$portfile"' EXIT
until [ -s "$portfile" ]; do sleep 0.05; done
read -r port <"$portfile"
declare -A lean client
for window in 16 64 256; do
  lean[$window]="$(node "$here/node_echo_client.js" "$port" "$window" "$total")"
  client[$window]="$(node "$here/node_rpc_client.js" "$port" "$window" "$total")"
done
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true

field() { awk -v path="$1" -v w="$2" -v col="$3" '$1==path && $2==w {print $col}' <<<"$out"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }

echo
echo "req/s (CPU us/call) on the same echo server; ratios are req/s over Node's"
printf '%-9s %20s %20s %20s %20s %12s %12s\n' in_flight node_lean node_client typed call_raw \
  typed/client raw/lean
for window in 16 64 256; do
  read -r lean_rate lean_cpu <<<"${lean[$window]}"
  read -r client_rate client_cpu <<<"${client[$window]}"
  typed="$(field typed "$window" 5)"
  raw="$(field call_raw "$window" 5)"
  printf '%-9s %20s %20s %20s %20s %12s %12s\n' "$window" "$lean_rate ($lean_cpu)" \
    "$client_rate ($client_cpu)" "$typed ($(field typed "$window" 3))" \
    "$raw ($(field call_raw "$window" 3))" "$(ratio "$typed" "$client_rate")" \
    "$(ratio "$raw" "$lean_rate")"
done

echo
"$bench" --benchmark_filter=BM_MemoryPerPendingRequest 2>/dev/null | grep -E "bytes_per_pending|Memory"
