#!/usr/bin/env bash
# Installs the built project into a temporary prefix, then builds and runs the consumer
# project against it twice: through find_package(hivemind CONFIG) and through pkg-config.
#   consumer_test.sh BUILD_DIR SOURCE_DIR EXPECTED_VERSION
# A shared build (BUILD_SHARED_LIBS=ON) is checked to be what the consumers and the
# installed hivectl load. With --shared instead of BUILD_DIR, it first builds the library
# (and hivectl) that way in a build tree of its own (a few minutes).
#   consumer_test.sh --shared SOURCE_DIR EXPECTED_VERSION
set -euo pipefail
build_dir=$1 source_dir=$2 expected_version=$3
work=$(mktemp -d -t hivemind-package-XXXXXX)
trap 'rm -rf "$work"' EXIT

if [[ $build_dir == --shared ]]; then
  build_dir=$work/shared-build
  cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DBUILD_SHARED_LIBS=ON \
    -DHIVEMIND_BUILD_TESTS=OFF -DHIVEMIND_BUILD_EXAMPLES=OFF -DHIVEMIND_BUILD_HIVECTL=ON \
    >"$work/shared-configure.log" || { cat "$work/shared-configure.log" >&2; exit 1; }
  cmake --build "$build_dir" -j "${HIVEMIND_PACKAGE_JOBS:-2}" >"$work/shared-build.log" ||
    { tail -n 50 "$work/shared-build.log" >&2; exit 1; }
fi

cmake --install "$build_dir" --prefix "$work/prefix" >"$work/install.log"
for file in include/hivemind/hivemind.hpp include/hivemind/version.hpp bin/hivectl; do
  [[ -e "$work/prefix/$file" ]] || { echo "not installed: $file" >&2; exit 1; }
done
# Shared or static, as the build tree was configured: exactly one of them.
shared=false static=false
if [[ -n $(find "$work/prefix" -name 'libhivemind.so*') ]]; then shared=true; fi
if [[ -n $(find "$work/prefix" -name 'libhivemind.a') ]]; then static=true; fi
if [[ $shared == "$static" ]]; then
  echo "installed libhivemind: shared=$shared static=$static (expected one of them)" >&2
  exit 1
fi

# Which libhivemind a program loads: the installed shared one, or none (linked statically).
expect_library() {
  local program=$1 loaded
  loaded=$(ldd "$program" | awk '/libhivemind/ {print $3}')
  if $shared; then
    [[ $loaded == "$work/prefix/"* ]] ||
      { echo "$program loads '${loaded:-no libhivemind}', not the installed one" >&2; exit 1; }
  else
    [[ -z $loaded ]] || { echo "$program loads $loaded in a static build" >&2; exit 1; }
  fi
}

# The environment must not leak the build tree's configuration into the run.
unset HIVEMIND_CONTAINER
expected="hivemind $expected_version container=multi-agent-container error="

cmake -S "$source_dir/tests/package/consumer" -B "$work/cmake-build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Debug >"$work/configure.log" ||
  { cat "$work/configure.log" >&2; exit 1; }
cmake --build "$work/cmake-build" >"$work/build.log" || { cat "$work/build.log" >&2; exit 1; }
expect_library "$work/cmake-build/consumer"
out=$("$work/cmake-build/consumer")
echo "find_package consumer: $out"
[[ $out == "$expected"* ]] || { echo "unexpected output from the CMake consumer" >&2; exit 1; }

pkgconfig_dir=$(dirname "$(find "$work/prefix" -name hivemind.pc)")
flags=$(PKG_CONFIG_PATH="$pkgconfig_dir" pkg-config --cflags --libs hivemind)
# A shared library outside the loader's paths is found through the program's RUNPATH.
rpath=()
if $shared; then rpath=("-Wl,-rpath,$(PKG_CONFIG_PATH="$pkgconfig_dir" pkg-config --variable=libdir hivemind)"); fi
# shellcheck disable=SC2086 # the flags are a list of words
${CXX:-c++} -o "$work/pc-consumer" "$source_dir/tests/package/consumer/main.cpp" $flags "${rpath[@]}"
expect_library "$work/pc-consumer"
out=$("$work/pc-consumer")
echo "pkg-config consumer: $out"
[[ $out == "$expected"* ]] || { echo "unexpected output from the pkg-config consumer" >&2; exit 1; }

expect_library "$work/prefix/bin/hivectl"
"$work/prefix/bin/hivectl" --version | grep -qx "hivectl $expected_version" ||
  { echo "installed hivectl --version is wrong" >&2; exit 1; }
echo "package test passed"
