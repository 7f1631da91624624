#!/usr/bin/env bash
# Builds the Annex images: annex/site:<version> and annex/cloud:<version>.
#   bash deploy/images/build.sh [--local-base] [--ca-bundle FILE] [site] [cloud]
# --local-base  build the Node base image from Debian packages (deploy/images/build-base-image.sh)
#               instead of using node:<version>-bookworm-slim from an image registry
# --ca-bundle   a PEM bundle of extra CAs that npm must trust, for networks that inspect TLS; it is
#               passed as a BuildKit secret and never stored in an image layer
# NODE_IMAGE=... overrides the base image. Prints "<image> <size in MB>" per image built.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
local_base=0
ca_bundle=
services=()
while [ $# -gt 0 ]; do
  case "$1" in
    --local-base) local_base=1 ;;
    --ca-bundle) ca_bundle=$(realpath "$2"); shift ;;
    site | cloud) services+=("$1") ;;
    *) echo "usage: build.sh [--local-base] [--ca-bundle FILE] [site] [cloud]" >&2; exit 2 ;;
  esac
  shift
done
[ ${#services[@]} -gt 0 ] || services=(site cloud)
[ -z "$ca_bundle" ] || [ -r "$ca_bundle" ] || { echo "build.sh: cannot read CA bundle $ca_bundle" >&2; exit 2; }

# RUN --mount=type=secret needs BuildKit: buildx where installed, else a Docker CLI older than 23,
# which has BuildKit built in (Debian bookworm's docker.io is 20.10).
build=()
if docker buildx version >/dev/null 2>&1; then
  build=(docker buildx build --load)
else
  for client in $(type -ap docker); do
    major=$("$client" version --format '{{.Client.Version}}' 2>/dev/null | cut -d. -f1 || true)
    if [ -n "$major" ] && [ "$major" -lt 23 ]; then build=(env DOCKER_BUILDKIT=1 "$client" build); break; fi
  done
fi
[ ${#build[@]} -gt 0 ] || { echo "build.sh: BuildKit is needed: install docker-buildx" >&2; exit 1; }

node_version=$(tr -d ' \nv' <.node-version)
if [ -z "${NODE_IMAGE:-}" ]; then
  if [ "$local_base" = 1 ]; then NODE_IMAGE=$(bash deploy/images/build-base-image.sh); else NODE_IMAGE=node:$node_version-bookworm-slim; fi
fi
secret=()
[ -z "$ca_bundle" ] || secret=(--secret "id=extra_ca,src=$ca_bundle")
for service in "${services[@]}"; do
  version=$(node -p "require('./services/$service/package.json').version")
  image=annex/$service:$version
  "${build[@]}" --progress=plain -f "deploy/Dockerfile.$service" --build-arg "NODE_IMAGE=$NODE_IMAGE" \
    --build-arg "VERSION=$version" "${secret[@]}" -t "$image" . >"${BUILD_LOG_DIR:-/tmp}/annex-build-$service.log" 2>&1 ||
    { tail -40 "${BUILD_LOG_DIR:-/tmp}/annex-build-$service.log" >&2; echo "build.sh: $image failed" >&2; exit 1; }
  echo "$image $(($(docker image inspect -f '{{.Size}}' "$image") / 1000000))"
done
