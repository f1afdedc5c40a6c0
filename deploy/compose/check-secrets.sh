#!/bin/sh
# The secrets-check one-shot of docker-compose.yml: its arguments name the secrets of .env, its
# environment holds them (empty when .env does not set one). Each service that takes a secret waits
# for this to exit 0, so the stack never starts with an empty password, while the file itself still
# resolves without a .env (docker-compose config on a fresh clone). Prints names, never a value.
missing=0
for name in "$@"; do
  eval "value=\${$name:-}"
  if [ -z "$value" ]; then
    echo "set $name in .env (cp .env.example .env, then give it a value)" >&2
    missing=1
  fi
done
[ "$missing" -eq 0 ] && echo "every secret is set ($#)"
exit "$missing"
