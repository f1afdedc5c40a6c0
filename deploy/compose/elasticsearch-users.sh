#!/usr/bin/env bash
# One-shot (docker-compose.yml, service elasticsearch-users): creates or updates the two
# least-privilege logins. Idempotent: PUT replaces a role or user of the same name.
#   brain_indexer  the Flink jobs: create the index's versions, write and refresh them, move its alias
#   brain_query    the query service: read the index, cluster health, GET /
# Passwords come from the environment (.env); use letters and digits only, they go into JSON.
set -euo pipefail

es="${ELASTICSEARCH_URL:-http://elasticsearch:9200}"
index="${BRAIN_INDEX:-documents}"

put() {
  local path="$1" body="$2"
  curl -fsS -u "elastic:${ELASTIC_PASSWORD}" -X PUT "$es$path" \
    -H 'Content-Type: application/json' --data-binary "$body" >/dev/null \
    || { echo "elasticsearch-users: PUT $path failed" >&2; exit 1; }
}

# the index's versions (<index>_v1, _v2, ...) behind the alias <index>: the indexer makes them and moves
# the alias (manage covers the alias actions on them); the query service reads through the alias
put /_security/role/brain_indexer "$(printf '{"cluster":["monitor"],"indices":[{"names":["%s","%s-*","%s_v*"],"privileges":["create_index","manage","write","read","view_index_metadata"]}]}' "$index" "$index" "$index")"
put /_security/role/brain_query "$(printf '{"cluster":["monitor"],"indices":[{"names":["%s","%s-*","%s_v*"],"privileges":["read","view_index_metadata"]}]}' "$index" "$index" "$index")"
put /_security/user/brain_indexer "$(printf '{"password":"%s","roles":["brain_indexer"]}' "$ES_INDEXER_PASSWORD")"
put /_security/user/brain_query "$(printf '{"password":"%s","roles":["brain_query"]}' "$ES_QUERY_PASSWORD")"
echo "elasticsearch-users: roles and users brain_indexer, brain_query are in place"
