#!/usr/bin/env bash
# The installed-package test against a shared library: builds libhivemind and hivectl with
# BUILD_SHARED_LIBS=ON in a temporary build tree, installs them, then builds and runs the
# consumer project (find_package and pkg-config) and the installed hivectl against
# libhivemind.so. Run by hand (it compiles the library a second time: a few minutes on two
# cores, too long for CI next to the dev build); CI runs the static variant
# (ctest -R package_consumer).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
version=$(sed -n 's/^project(hivemind VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
bash tests/package/consumer_test.sh --shared "$PWD" "$version"
