#!/usr/bin/env bash
# Prints the bin folder of the Node.js LTS the project pins in .node-version. When the machine's
# own node is another version, that Node comes from the npm registry's node-linux-<arch> package
# (the official build, repackaged) into .tools/, so tests, CI and the images all run one Node.
# Usage: export PATH="$(bash scripts/node-lts.sh):$PATH"
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
want=$(tr -d ' \nv' <"$root/.node-version")
if [ "$(node --version 2>/dev/null || true)" = "v$want" ]; then
  dirname "$(command -v node)"
  exit 0
fi
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "node-lts: no node-linux package for $(uname -m); install Node $want yourself" >&2; exit 1 ;;
esac
dir="$root/.tools/node-v$want-linux-$arch"
if [ ! -x "$dir/bin/node" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$want" >/dev/null)
  mkdir -p "$dir.partial"
  tar -xzf "$tmp"/node-linux-*.tgz -C "$dir.partial" --strip-components=1 package/bin/node package/LICENSE
  mv "$dir.partial" "$dir"
fi
[ "$("$dir/bin/node" --version)" = "v$want" ] || { echo "node-lts: $dir/bin/node is not v$want" >&2; exit 1; }
echo "$dir/bin"
