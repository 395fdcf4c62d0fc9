#!/usr/bin/env bash
# Builds the libFuzzer targets (in the clang ASan tree, preset `asan`, so CI compiles the
# sanitized code once) and runs each for SECONDS (default 60) on its seed corpus in
# fuzz/corpus/<target>. New inputs go to a scratch copy of the corpus, so the checked-in
# seeds stay small; a crash leaves its input in build/asan/fuzz-runs/artifacts/ and fails
# the script. The targets run side by side, one per core.
#   scripts/fuzz.sh [SECONDS] [TARGET...]     e.g. scripts/fuzz.sh 300 line_framer
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
  for seeds in fuzz/corpus/*/; do targets+=("$(basename "$seeds")"); done
fi

scripts/setup.sh
cmake --preset asan >/dev/null
cmake --build --preset asan --target fuzz_all

runs_dir=build/asan/fuzz-runs
artifacts=$runs_dir/artifacts
mkdir -p "$artifacts"

# One target for SECONDS; its exit status is the verdict, its log the statistics.
fuzz_one() {
  local target="$1" corpus="$runs_dir/corpus/$1"
  mkdir -p "$corpus"
  cp -n "fuzz/corpus/$target"/* "$corpus"/ 2>/dev/null || true
  rm -f "$artifacts/$target-"*
  "build/asan/fuzz/fuzz_$target" -max_total_time="$seconds" -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/$target-" \
    "$corpus" >"$runs_dir/$target.log" 2>&1
}

# Each target is single-threaded: run one per core, so every target still gets SECONDS.
jobs_at_once=$(nproc)
declare -A pid_of
for target in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= jobs_at_once)); do wait -n || true; done
  echo "fuzz: $target for ${seconds}s"
  fuzz_one "$target" &
  pid_of[$target]=$!
done

summary=()
status=0
for target in "${targets[@]}"; do
  log="$runs_dir/$target.log"
  if ! wait "${pid_of[$target]}"; then
    status=1
    echo "fuzz: $target FAILED; see $log and $artifacts/" >&2
    tail -n 30 "$log" >&2
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo '?')
  ft=$(grep -o 'ft: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo '?')
  crashes=$(find "$artifacts" -name "$target-*" | wc -l)
  summary+=("$(printf '%-24s execs %-10s cov %-6s ft %-6s crash/leak/timeout files %s' \
    "$target" "$runs" "$cov" "$ft" "$crashes")")
done
printf '%s\n' "${summary[@]}"
exit "$status"
