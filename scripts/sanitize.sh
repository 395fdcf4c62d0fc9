#!/usr/bin/env bash
# Builds the test suites with a sanitizer and runs them all:
#   scripts/sanitize.sh [asan|tsan]   (default asan)
# asan: AddressSanitizer + UndefinedBehaviorSanitizer with leak checking; any report
#       fails the test that caused it. tsan: ThreadSanitizer (races, lock order).
# The options live in the presets (CMakePresets.json), so `ctest --preset asan` run by
# hand behaves the same.
set -euo pipefail
cd "$(dirname "$0")/.."

preset="${1:-asan}"
case "$preset" in
  asan | tsan) ;;
  *)
    echo "usage: $0 [asan|tsan]" >&2
    exit 2
    ;;
esac

scripts/setup.sh
cmake --preset "$preset"
cmake --build --preset "$preset"
ctest --preset "$preset"
