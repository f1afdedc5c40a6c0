#!/bin/sh
# The redis-cluster one-shot of deploy/compose/redis-cluster.yml: joins the nodes named as arguments
# (host:port, the first three become masters) into one Redis Cluster with a replica per master, as
# redis' own utils/create-cluster does. On a later start the nodes already form the cluster: it
# says so and exits 0. It never creates over nodes that know other nodes but are not yet a cluster
# serving every slot; it waits for them instead, and exits 1 if they do not get there.
# The password comes from REDISCLI_AUTH, never from the command line.
set -eu
[ $# -ge 6 ] || { echo "redis-cluster: name six nodes or more (host:port), got $#" >&2; exit 2; }

info() { redis-cli -h "${1%:*}" -p "${1##*:}" cluster info 2>/dev/null || true; }

for node in "$@"; do
  tries=0
  until redis-cli -h "${node%:*}" -p "${node##*:}" ping 2>/dev/null | grep -q PONG; do
    tries=$((tries + 1))
    [ "$tries" -lt 60 ] || { echo "redis-cluster: $node does not answer" >&2; exit 1; }
    sleep 1
  done
done

first="$1"
if info "$first" | grep -q '^cluster_state:ok'; then
  echo "redis-cluster: the $# nodes already form a cluster"
  exit 0
fi
known=$(info "$first" | sed -n 's/^cluster_known_nodes:\([0-9]*\).*/\1/p')
if [ "${known:-1}" -le 1 ]; then
  redis-cli --cluster create "$@" --cluster-replicas 1 --cluster-yes >/dev/null
fi
tries=0
until info "$first" | grep -q '^cluster_state:ok'; do
  tries=$((tries + 1))
  [ "$tries" -lt 60 ] || { echo "redis-cluster: the cluster does not serve every slot" >&2; exit 1; }
  sleep 1
done
echo "redis-cluster: $# nodes form a cluster, every slot served"
