#!/usr/bin/env bash
# Keeps redis-server running on the same --dir and AOF: when it dies (kill -9, OOM), it is started again within
# about 0.2 s and replays the AOF. Locally this loop is what Kubernetes' restartPolicy is in production.
# setpriv --pdeathsig: if this loop itself is killed, redis-server dies with it instead of lingering as an orphan.
child=0
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 0' TERM INT
while true; do
  setpriv --pdeathsig KILL -- redis-server "$@" &
  child=$!
  wait "$child"
  status=$?
  echo "redis-supervisor: redis-server exited with status $status; restarting on the same AOF"
  sleep 0.2
done
