#!/usr/bin/env bash
# PostgreSQL for a components set whose state store is state.postgresql: creates the cluster in DATA on first start,
# then execs postgres in place, so stopping this resource stops postgres itself.
# initdb and postgres refuse to run as root; as root both run as the "postgres" user Debian's package creates, on a
# folder it owns. Debian keeps the binaries off PATH, in /usr/lib/postgresql/<version>/bin (newest taken).
#   postgres-server.sh DATA PORT
set -euo pipefail
data="$1"
port="$2"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/postgres" ]; then
  echo "postgres-server: PostgreSQL is not installed (apt-get install postgresql; ./natter up does it)" >&2
  exit 1
fi
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  chown -R postgres:postgres "$data"
  as_owner=(setpriv --reuid=postgres --regid=postgres --init-groups --)
fi
if [ ! -f "$data/PG_VERSION" ]; then
  # trust on 127.0.0.1 only (listen_addresses below): a developer's throwaway cluster, never a deployment's.
  "${as_owner[@]}" "$bin/initdb" -D "$data" -U natter -A trust -E UTF8 --no-sync
fi
exec "${as_owner[@]}" "$bin/postgres" -D "$data" -k "$data" -p "$port" -c listen_addresses=127.0.0.1
