#!/usr/bin/env bash
# Builds a Node.js base image from Debian packages and the npm registry, for machines that can
# reach no image registry (air-gapped hospitals, this project's CI). It stands in for the upstream
# node:<version>-bookworm-slim image and has the same layout: Debian bookworm (minbase), node and
# npm in /usr/local, CA certificates. Prints the image name.
#   bash deploy/images/build-base-image.sh [IMAGE]     default annex/node:<.node-version>-bookworm
# Needs root, debootstrap and docker. DEBIAN_MIRROR picks the mirror (default: the first one apt
# uses here). Rebuilds only when this script or the Node version changed (label annex.base.recipe).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
node_version=$(tr -d ' \nv' <"$root/.node-version")
npm_version=$(node -p "require('$root/package.json').packageManager.split('@')[1]")
image=${1:-annex/node:$node_version-bookworm}
recipe=$( (cat "$0"; echo "$node_version $npm_version") | sha256sum | cut -c1-16)
docker=${DOCKER:-docker}

if [ "$($docker image inspect -f '{{ index .Config.Labels "annex.base.recipe" }}' "$image" 2>/dev/null)" = "$recipe" ]; then
  echo "$image"
  exit 0
fi
mirror=${DEBIAN_MIRROR:-$(grep -hoE '^(URIs:|deb) +https?://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
  grep -oE 'https?://[^ ]+/debian$' | head -1 || true)}
mirror=${mirror:-http://deb.debian.org/debian}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
echo "base image: debootstrap bookworm from $mirror" >&2
debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log" >&2; exit 1; }

case "$(uname -m)" in x86_64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) echo "unsupported $(uname -m)" >&2; exit 1 ;; esac
(cd "$work" && npm pack --silent "node-linux-$arch@$node_version" "npm@$npm_version" >/dev/null)
tar -xzf "$work"/node-linux-*.tgz -C "$rootfs/usr/local" --strip-components=1 package/bin/node
mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$work"/npm-*.tgz -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

# Smaller and quieter: no apt lists, caches, docs or locales in the image.
chroot "$rootfs" apt-get clean
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* \
  "$rootfs"/usr/share/locale/* "$rootfs"/var/log/*
chroot "$rootfs" /usr/local/bin/node --version >/dev/null

tar --numeric-owner -C "$rootfs" -c . | $docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$node_version" \
  --change "LABEL annex.base.recipe=$recipe" \
  --change "LABEL org.opencontainers.image.description=\"Debian bookworm minbase, Node.js $node_version, from Debian packages and the npm registry\"" \
  --change 'CMD ["node"]' \
  - "$image" >/dev/null
echo "$image"
