#!/usr/bin/env bash
# Entry point of the JobManager and TaskManager containers (docker-compose.yml).
#
# The official flink image's /docker-entrypoint.sh writes conf/config.yaml on every start (it
# sets jobmanager.rpc.address and appends FLINK_PROPERTIES). The repository's flink-conf/ is
# mounted read-only at /opt/companion-brain/flink-conf, so this copies it over the image's
# conf/ first and lets the entrypoint edit the copy, never the repository's file.
# Runs as root: it also hands the checkpoint/savepoint volume to the flink user, then the
# image's entrypoint drops privileges as usual.
set -euo pipefail

src=/opt/companion-brain/flink-conf
[ -f "$src/config.yaml" ] || { echo "flink-entrypoint: $src/config.yaml is missing (mount ./flink-conf)" >&2; exit 1; }
cp -rf "$src"/. "$FLINK_HOME/conf/"
chown -R flink:flink "$FLINK_HOME/conf"

mkdir -p /flink-data/checkpoints /flink-data/savepoints
chown flink:flink /flink-data /flink-data/checkpoints /flink-data/savepoints

exec /docker-entrypoint.sh "$@"
