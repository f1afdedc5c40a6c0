#!/bin/sh
# One-shot (docker-compose.yml, service meilisearch-keys): makes sure a search-only API key
# exists for the query service and writes it to $KEY_FILE, on a volume only the query service
# mounts (read-only). The key has a fixed uid, so every run finds the same key (Meilisearch
# derives the key from the uid and the master key) instead of piling up new ones.
set -eu

url="${MEILISEARCH_URL:-http://meilisearch:7700}"
uid="5b0b3f4e-8c1d-4a6e-9f2a-7d3c1e0b9a42"
index="${BRAIN_INDEX:-documents}"
auth="Authorization: Bearer ${MEILI_MASTER_KEY}"

# the served version of the index and a reindex's (docs/OPERATIONS.md, "Reindex"): <index>, <index>_v<N>
indexes="[\"$index\",\"${index}_v*\"]"
body="{\"uid\":\"$uid\",\"name\":\"companion-brain-query\",\"description\":\"query service: search only\",\"actions\":[\"search\"],\"indexes\":$indexes,\"expiresAt\":null}"
create() {
  curl -sS -o /tmp/create.json -w '%{http_code}' -X POST "$url/keys" -H "$auth" -H 'Content-Type: application/json' \
    --data-binary "$body"
}

status=$(create)
if [ "$status" = 409 ] && ! curl -fsS "$url/keys/$uid" -H "$auth" | tr -d ' ' | grep -qF "\"indexes\":$indexes"; then
  # a key made before reindexes had versions: its indexes cannot be changed, so it is made again (the
  # same uid gives the same key)
  curl -fsS -o /dev/null -X DELETE "$url/keys/$uid" -H "$auth"
  status=$(create)
  [ "$status" = 201 ] && status=recreated
fi
case "$status" in
  201) echo "meilisearch-keys: created the search key" ;;
  recreated) echo "meilisearch-keys: made the search key again, for the index's versions too" ;;
  409) echo "meilisearch-keys: the search key exists already" ;;
  *) echo "meilisearch-keys: POST /keys answered $status: $(cat /tmp/create.json)" >&2; exit 1 ;;
esac

curl -fsS "$url/keys/$uid" -H "$auth" -o /tmp/key.json
key=$(sed -n 's/.*"key":"\([0-9a-f]*\)".*/\1/p' /tmp/key.json)
rm -f /tmp/create.json /tmp/key.json
[ -n "$key" ] || { echo "meilisearch-keys: no key in GET /keys/$uid" >&2; exit 1; }

umask 077
printf '%s' "$key" > "$KEY_FILE.tmp"
chown "${KEY_OWNER:-10001:10001}" "$KEY_FILE.tmp"
chmod 0400 "$KEY_FILE.tmp"
mv -f "$KEY_FILE.tmp" "$KEY_FILE"
echo "meilisearch-keys: wrote $KEY_FILE"
