#!/usr/bin/env bash
# Builds the `bench` preset, runs every benchmark executable and writes
# docs/benchmarks.md: machine, compiler, date, load, every result, and each benchmark
# next to the baseline it is compared with in the same run (bench/baselines.tsv).
#   scripts/bench.sh [extra Google Benchmark flags, e.g. --benchmark_filter=Spawn]
#   scripts/bench.sh --report-only   (rewrites the report from the last run's results)
# Discovery: every CMake target named hivemind_<area>_bench is built and run, so a new
# bench target only needs that name (and, for a comparison, a line in
# bench/baselines.tsv). Executables must accept Google Benchmark's --benchmark_out flags.
set -euo pipefail
cd "$(dirname "$0")/.."

results=build/bench/results
if [[ "${1:-}" != --report-only ]]; then
  scripts/setup.sh
  cmake --preset bench >/dev/null
  # Only the benchmark executables (and what they link), not the test suites.
  mapfile -t targets < <(ninja -C build/bench -t targets all |
    grep -oE '^hivemind_[a-z0-9_]+_bench:' | tr -d ':' | sort -u)
  if ((${#targets[@]} == 0)); then
    echo "bench: no hivemind_*_bench targets in the bench preset" >&2
    exit 1
fi
cmake --build --preset bench --target "${targets[@]}"

rm -rf "$results"
mkdir -p "$results"
cut -d' ' -f1-3 /proc/loadavg >"$results/load_before"
mapfile -t executables < <(for target in "${targets[@]}"; do
  find build/bench -type f -perm -u+x -name "$target"
done)
for executable in "${executables[@]}"; do
  name=$(basename "$executable")
  echo "bench: $name"
  "$executable" --benchmark_out="$results/$name.json" --benchmark_out_format=json "$@"
done
cut -d' ' -f1-3 /proc/loadavg >"$results/load_after"
fi
load_before=$(cat "$results/load_before")
load_after=$(cat "$results/load_after")

# Baselines as JSON: [{benchmark, baseline, what}].
baselines=$(grep -v '^#' bench/baselines.tsv | jq -R -s '
  split("\n") | map(select(length > 0) | split("\t") | {benchmark: .[0], baseline: .[1], what: .[2]})')

# Every result, tagged with its executable.
all=$(for file in "$results"/*.json; do
  jq --arg exe "$(basename "$file" .json)" '.benchmarks[] | . + {executable: $exe}' "$file"
done | jq -s '.')

report=docs/benchmarks.md
{
  echo "# Benchmarks"
  echo
  echo "Written by \`scripts/bench.sh\`; do not edit by hand. Each comparison below pairs a"
  echo "benchmark with its baseline from the **same run** of the same executable"
  echo "(\`bench/baselines.tsv\`)."
  echo
  echo "| | |"
  echo "| --- | --- |"
  echo "| date of the run | $(jq -r '.context.date' "$(ls "$results"/*.json | head -n 1)") |"
  echo "| commit | $(git rev-parse --short HEAD 2>/dev/null || echo unknown) |"
  echo "| machine | $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, $(uname -sr) |"
  echo "| compiler | $(c++ --version | head -n 1), CMake preset \`bench\` (Release) |"
  echo "| load average (1, 5, 15 min) | before: $load_before; after: $load_after |"
  echo
  echo "The machine is shared: other builds ran on its cores during the run, so absolute"
  echo "numbers are noisy (see the load average); the ratios against a baseline measured"
  echo "in the same run are the figures to read."
  echo
  echo "## Comparisons"
  echo
  echo "Ratio: time per iteration against the baseline's (lower is better), or throughput"
  echo "(items/s) against the baseline's when both report it (higher is better)."
  echo
  echo "| benchmark | baseline | benchmark value | baseline value | ratio | what |"
  echo "| --- | --- | --- | --- | --- | --- |"
  jq -r --argjson baselines "$baselines" '
    def ns: .real_time * ({"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[.time_unit]);
    def fmt_time: (ns) as $t | if $t >= 1e6 then "\($t / 1e6 * 1000 | round / 1000) ms"
                               elif $t >= 1e3 then "\($t / 1e3 * 100 | round / 100) µs"
                               else "\($t | round) ns" end;
    def fmt_rate: "\(.items_per_second | round) items/s";
    . as $all
    | $baselines[]
    | . as $pair
    | ($all | map(select(.name == $pair.benchmark and .run_type == "iteration")) | first) as $b
    | ($all | map(select(.name == $pair.baseline and .run_type == "iteration"
                          and .executable == ($b.executable // "")))
            | first) as $base
    | select($b != null and $base != null)
    | if ($b.items_per_second != null and $base.items_per_second != null) then
        "| \($b.name) | \($base.name) | \($b | fmt_rate) | \($base | fmt_rate) | \($b.items_per_second / $base.items_per_second * 100 | round / 100)× throughput | \($pair.what) |"
      else
        "| \($b.name) | \($base.name) | \($b | fmt_time) | \($base | fmt_time) | \(($b | ns) / ($base | ns) * 100 | round / 100)× time | \($pair.what) |"
      end' <<<"$all"
  echo
  echo "## All results"
  jq -r '
    def known: ["name", "family_index", "per_family_instance_index", "run_name", "run_type",
                "repetitions", "repetition_index", "threads", "iterations", "real_time",
                "cpu_time", "time_unit", "items_per_second", "bytes_per_second", "label",
                "error_occurred", "error_message", "aggregate_name", "aggregate_unit",
                "executable"];
    def num: if type == "number" then (. * 100 | round / 100) else . end;
    group_by(.executable)[]
    | "\n### \(.[0].executable)\n",
      "| benchmark | real time | CPU time | iterations | items/s | counters |",
      "| --- | --- | --- | --- | --- | --- |",
      (.[] | select(.run_type == "iteration")
       | "| \(.name) | \(.real_time | num) \(.time_unit) | \(.cpu_time | num) \(.time_unit) | \(.iterations) | \(.items_per_second // "" | num) | \(
           [to_entries[] | select(.key as $k | known | index($k) | not) | "\(.key)=\(.value | num)"]
           | join(", "))\(if .error_occurred then " ERROR: \(.error_message)" else "" end) |")' \
    <<<"$all"
} >"$report"
echo "bench: wrote $report"
