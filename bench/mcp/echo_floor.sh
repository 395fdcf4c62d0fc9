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

# Node on the same echo server (its own process; started once for all windows).
portfile="$(mktemp)"
"$server" >"$portfile" &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; rm -f "$portfile"' EXIT
until [ -s "$portfile" ]; do sleep 0.05; done
read -r port <"$portfile"
declare -A node
for window in 16 64 256; do
  node[$window]="$(node "$here/node_echo_client.js" "$port" "$window" "$total")"
done
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true

echo
printf '%-9s %12s %14s %14s %10s %10s\n' in_flight node_req/s typed_req/s raw_req/s typed/node raw/node
for window in 16 64 256; do
  typed="$(awk -v w="$window" '$1=="typed" && $2==w {print $5}' <<<"$out")"
  raw="$(awk -v w="$window" '$1=="call_raw" && $2==w {print $5}' <<<"$out")"
  n="${node[$window]}"
  printf '%-9s %12s %14s %14s %10.2f %10.2f\n' "$window" "$n" "$typed" "$raw" \
    "$(awk -v a="$typed" -v b="$n" 'BEGIN{print a/b}')" "$(awk -v a="$raw" -v b="$n" 'BEGIN{print a/b}')"
done

echo
"$bench" --benchmark_filter=BM_MemoryPerPendingRequest 2>/dev/null | grep -E "bytes_per_pending|Memory"
