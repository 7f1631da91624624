#!/usr/bin/env bash
# Saves the images of an Annex deployment into an offline bundle for an air-gapped hospital:
#   bash deploy/offline/save.sh OUT_DIR [IMAGE...]
# Default images: annex/site and annex/cloud at this checkout's version, plus every image that
# compose.yaml names and this host has (postgres, redis, minio, keycloak: pull them first).
# OUT_DIR gets one `docker save` tar per image, SHA256SUMS (sha256sum -c format), IMAGES
# ("ref image-id file" per line), manifest.json, and what load.sh needs to start the stack.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: save.sh OUT_DIR [IMAGE...]}
shift
images=("$@")
if [ ${#images[@]} -eq 0 ]; then
  for service in site cloud; do
    images+=("annex/$service:$(sed -n 's/^ *"version": *"\(.*\)",*$/\1/p' "$root/services/$service/package.json" | head -1)")
  done
  for ref in $(sed -n 's/^ *image: *\([^$ ]*\)$/\1/p' "$root/compose.yaml" | sort -u); do
    if docker image inspect "$ref" >/dev/null 2>&1; then images+=("$ref"); else
      echo "save.sh: $ref is not on this host (docker pull it first); the bundle goes without it" >&2
    fi
  done
fi
mkdir -p "$out"
: >"$out/IMAGES"
entries=()
for ref in "${images[@]}"; do
  id=$(docker image inspect -f '{{.Id}}' "$ref") || { echo "save.sh: no image $ref" >&2; exit 1; }
  file=$(echo "$ref" | tr '/:@' '___').tar
  docker save -o "$out/$file" "$ref"
  echo "$ref $id $file" >>"$out/IMAGES"
  entries+=("{\"ref\":\"$ref\",\"id\":\"$id\",\"file\":\"$file\",\"bytes\":$(stat -c %s "$out/$file")}")
done
cp "$root/compose.yaml" "$out/compose.yaml"
mkdir -p "$out/deploy/keycloak"
cp "$root"/deploy/keycloak/*.json "$out/deploy/keycloak/"
cp "$root/deploy/compose.env.example" "$root/deploy/offline/load.sh" "$out/"
(IFS=,; echo "{\"created\":\"$(date -u +%FT%TZ)\",\"images\":[${entries[*]}]}") >"$out/manifest.json"
(cd "$out" && find . -type f ! -name SHA256SUMS -printf '%P\n' | sort | xargs sha256sum >SHA256SUMS)
echo "bundle $out: ${#images[@]} images, $(du -sh "$out" | cut -f1)"
