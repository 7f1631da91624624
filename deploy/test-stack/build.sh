#!/usr/bin/env bash
# Builds the TEST STACK's stand-in images (see deploy/compose.test.yaml) from Debian's packages on
# the given base (default: the Node base made by deploy/images/build-base-image.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
base=${1:-$(bash "$here/../images/build-base-image.sh")}
docker build -q --build-arg "BASE_IMAGE=$base" -f "$here/Dockerfile.postgres" -t annex-test/postgres:15-debian "$here" >/dev/null
docker build -q --build-arg "BASE_IMAGE=$base" -f "$here/Dockerfile.redis" -t annex-test/redis:7-debian "$here" >/dev/null
echo annex-test/postgres:15-debian annex-test/redis:7-debian
