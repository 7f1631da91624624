#!/bin/sh
# Loads an offline bundle made by save.sh on an air-gapped host, and optionally starts the stack.
#   sh load.sh [BUNDLE_DIR] [--up [docker compose up options...]]
# Refuses the whole bundle if any file's SHA-256 differs from SHA256SUMS, and checks that every
# image loads under the id it was saved with. With --up it then runs `docker compose up -d` on the
# bundle's compose.yaml (or docker-compose, where only v1 is installed), with .env from the bundle.
set -eu
dir=$(cd "${1:-$(dirname "$0")}" && pwd)
[ $# -gt 0 ] && shift
cd "$dir"
if ! sha256sum --quiet --strict -c SHA256SUMS; then
  echo "load.sh: checksums do not match SHA256SUMS: the bundle is damaged or was altered; nothing loaded" >&2
  exit 1
fi
while read -r ref id file; do
  docker load -q -i "$file" >/dev/null
  got=$(docker image inspect -f '{{.Id}}' "$ref")
  [ "$got" = "$id" ] || { echo "load.sh: $ref loaded as $got, expected $id" >&2; exit 1; }
  echo "loaded $ref"
done <IMAGES
if [ "${1:-}" = --up ]; then
  shift
  if docker compose version >/dev/null 2>&1; then compose="docker compose"; else compose=docker-compose; fi
  exec $compose -f compose.yaml "$@" up -d
fi
