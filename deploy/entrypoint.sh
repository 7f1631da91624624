#!/bin/sh
# The images' entry: entrypoint.sh <site|cloud> [serve|migrate|COMMAND...]
#   serve    (default) apply the database migrations unless MIGRATE_ON_START=0, then run the service
#   migrate  apply the migrations and exit (a Kubernetes Job or init container; Prisma's
#            migrate deploy takes an advisory lock, so replicas starting together are safe)
#   annex    the operator CLI (scripts/annex.ts): keys, the cloud's site registry
# The service is exec'd, so it is the container's main process and gets SIGTERM itself.
set -eu
service=$1
shift
command=${1:-serve}
[ $# -gt 0 ] && shift
cd "/app/services/$service"
migrate() {
  PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING=1 PRISMA_SCHEMA_ENGINE_BINARY=/bin/false \
    PRISMA_QUERY_ENGINE_LIBRARY=/bin/false PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1 \
    node /app/node_modules/prisma/build/index.js migrate deploy
}
case "$command" in
  migrate) migrate ;;
  serve)
    [ "${MIGRATE_ON_START:-1}" = 0 ] || migrate
    exec node --import tsx src/main.ts "$@"
    ;;
  annex) exec node --import tsx /app/scripts/annex.ts "$@" ;;
  *) exec "$command" "$@" ;;
esac
