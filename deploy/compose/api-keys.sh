#!/bin/sh
# The api-keys one-shot of docker-compose.yml: registers PROMETHEUS_API_KEY (from .env) in the query
# service's key store on Redis as a key with scope metrics only, the way `./brain keys create` stores
# one: its SHA-256 at brain:apikey:<hash>, its id in the hash brain:apikeys. The key itself is never
# stored or printed. -c follows a Redis Cluster's redirects (deploy/compose/redis-cluster.yml). Other keys are made with `./brain keys create` (docs/SECURITY.md).
set -eu
key="${PROMETHEUS_API_KEY:-}"
case "$key" in
  cb_????????????_*) ;;
  *) echo "PROMETHEUS_API_KEY is not a key of the query service: make one with" \
       "echo \"cb_\$(openssl rand -hex 6)_\$(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=')\"" >&2; exit 1 ;;
esac
case "$key" in *change*) echo "PROMETHEUS_API_KEY is still the example's: replace it" >&2; exit 1 ;; esac
id=$(printf %s "$key" | cut -c4-15)
hash=$(printf %s "$key" | sha256sum | cut -d' ' -f1)
now=$(($(date +%s) * 1000))
record="{\"id\":\"$id\",\"hash\":\"$hash\",\"name\":\"prometheus\",\"scopes\":[\"metrics\"],\"created_at\":$now}"
host="${REDIS_HOST:-redis}" port="${REDIS_PORT:-6379}"
redis-cli -c -h "$host" -p "$port" SET "brain:apikey:$hash" "$record" >/dev/null
redis-cli -c -h "$host" -p "$port" HSET brain:apikeys "$id" "$hash" >/dev/null
echo "prometheus's key $id registered (scope metrics)"
