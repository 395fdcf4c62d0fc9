#!/usr/bin/env bash
# Builds the test image `hivemind-test:bookworm` in the engine DOCKER_HOST points at
# (tests/engine/engine.sh starts one): a Debian bookworm rootfs from debootstrap
# (--variant=minbase; no registry is reachable here, only the Debian archive) holding bash,
# jq, util-linux, procps, acl, the user dev (uid 1000), the container's directories from
# /work/shared/container-contract.md, this project's session manager at
# /app/scripts/hive-session-manager.sh and its fake agent claude-flow on PATH.
# The debootstrap rootfs is cached as a tarball (HIVEMIND_ENGINE_CACHE, default
# ~/.cache/hivemind-engine), so only the first build downloads anything.
#   tests/engine/image.sh [--rebuild]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mock=$here/../mock
image=hivemind-test:bookworm
cache=${HIVEMIND_ENGINE_CACHE:-$HOME/.cache/hivemind-engine}
base=$cache/bookworm-minbase.tar
mirror=${HIVEMIND_DEBIAN_MIRROR:-http://deb.debian.org/debian}

if [[ ${1:-} != --rebuild ]] && docker image inspect "$image" >/dev/null 2>&1; then
  echo "image: $image present"
  exit 0
fi

work=$(mktemp -d -t hivemind-image-XXXXXX)
trap 'rm -rf "$work"' EXIT

if [[ ! -s $base ]]; then
  mkdir -p "$cache"
  echo "image: debootstrap bookworm (minbase) from $mirror; cached in $base"
  debootstrap --variant=minbase --include=jq,procps,util-linux,acl bookworm \
    "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -n 30 "$work/debootstrap.log" >&2
    exit 1
  }
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
  tar -C "$work/rootfs" -cf "$base.tmp" . && mv "$base.tmp" "$base"
  rm -rf "$work/rootfs"
fi

# The project's layer on top of the cached rootfs.
rootfs=$work/rootfs
mkdir -p "$rootfs"
tar -C "$rootfs" -xf "$base"
install -D -m 0755 "$mock/hive-session-manager.sh" "$rootfs/app/scripts/hive-session-manager.sh"
install -D -m 0755 "$mock/bin/claude-flow" "$rootfs/usr/local/bin/claude-flow"
mkdir -p "$rootfs/workspace/.swarm/sessions" "$rootfs/workspace/ext/hive-sessions" \
  "$rootfs/var/log/multi-agent"
chroot "$rootfs" /usr/sbin/useradd --uid 1000 --create-home --shell /bin/bash dev 2>/dev/null ||
  grep -q '^dev:' "$rootfs/etc/passwd"
chroot "$rootfs" /bin/chown -R dev:dev /workspace /var/log/multi-agent
# HIVE_MOCK_ROOT=/: the session manager's files are where its container paths say.
tar -C "$rootfs" -c . | docker import \
  --change 'ENV HIVE_MOCK_ROOT=/' \
  --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'WORKDIR /workspace' \
  --change 'CMD ["sleep", "infinity"]' - "$image" >/dev/null
echo "image: $image built ($(docker image inspect -f '{{.Size}}' "$image") bytes)"
