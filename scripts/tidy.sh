#!/usr/bin/env bash
# Runs clang-tidy (checks in .clang-tidy) on every source file in src/; the headers in
# include/ and src/ are checked through them (HeaderFilterRegex). Uses the dev preset's
# compile_commands.json (configured if missing; nothing is built).
#   scripts/tidy.sh [FILE-REGEX]    e.g. scripts/tidy.sh 'src/mcp/'
# FILE-REGEX is a Python regex (run-clang-tidy's) on the path below the repository root:
#   scripts/tidy.sh 'src/(?!telemetry/)'    everything but src/telemetry/
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
[[ -f build/dev/compile_commands.json ]] || cmake --preset dev >/dev/null
run-clang-tidy -p build/dev -quiet -j 2 "$PWD/${1:-src/}.*\\.cpp\$"
