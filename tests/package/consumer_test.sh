#!/usr/bin/env bash
# Installs the built project into a temporary prefix, then builds and runs the consumer
# project against it twice: through find_package(hivemind CONFIG) and through pkg-config.
#   consumer_test.sh BUILD_DIR SOURCE_DIR EXPECTED_VERSION
set -euo pipefail
build_dir=$1 source_dir=$2 expected_version=$3
work=$(mktemp -d -t hivemind-package-XXXXXX)
trap 'rm -rf "$work"' EXIT

cmake --install "$build_dir" --prefix "$work/prefix" >"$work/install.log"
for file in include/hivemind/hivemind.hpp include/hivemind/version.hpp bin/hivectl; do
  [[ -e "$work/prefix/$file" ]] || { echo "not installed: $file" >&2; exit 1; }
done

# The environment must not leak the build tree's configuration into the run.
unset HIVEMIND_CONTAINER
expected="hivemind $expected_version container=multi-agent-container error="

cmake -S "$source_dir/tests/package/consumer" -B "$work/cmake-build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Debug >"$work/configure.log" ||
  { cat "$work/configure.log" >&2; exit 1; }
cmake --build "$work/cmake-build" >"$work/build.log" || { cat "$work/build.log" >&2; exit 1; }
out=$("$work/cmake-build/consumer")
echo "find_package consumer: $out"
[[ $out == "$expected"* ]] || { echo "unexpected output from the CMake consumer" >&2; exit 1; }

pkgconfig_dir=$(dirname "$(find "$work/prefix" -name hivemind.pc)")
flags=$(PKG_CONFIG_PATH="$pkgconfig_dir" pkg-config --cflags --libs hivemind)
# shellcheck disable=SC2086 # the flags are a list of words
${CXX:-c++} -o "$work/pc-consumer" "$source_dir/tests/package/consumer/main.cpp" $flags
out=$("$work/pc-consumer")
echo "pkg-config consumer: $out"
[[ $out == "$expected"* ]] || { echo "unexpected output from the pkg-config consumer" >&2; exit 1; }

"$work/prefix/bin/hivectl" --version | grep -qx "hivectl $expected_version" ||
  { echo "installed hivectl --version is wrong" >&2; exit 1; }
echo "package test passed"
