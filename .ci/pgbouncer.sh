#!/usr/bin/env bash
# A PgBouncer in transaction mode (as Neon's pooled endpoint and Supabase's pooler work) in
# front of the test server of .ci/postgres.sh, for the pooled test pass.
#
#   .ci/pgbouncer.sh [port] [server-port]     default 6432 -> 5433
#
# Debian's pgbouncer (1.18: no prepared statements in transaction mode). Idempotent: installs
# only when missing, does nothing when something already answers on the port. Every
# database of the server is reachable through it (wildcard), as app_runtime or postgres.
# The last stdout line is TEST_POOLER_URL=... . Throwaway: trust auth, state in tmpfs.
set -euo pipefail

PORT=${1:-6432}
SERVER_PORT=${2:-5433}
HOST=127.0.0.1
if [ -d /dev/shm ] && [ -w /dev/shm ]; then BASE=/dev/shm; else BASE=/tmp; fi
DIR=$BASE/repo-pgbouncer-$PORT
BIN=${PGBOUNCER_BIN:-/usr/sbin/pgbouncer}
# Extra [pgbouncer] lines (.ci/pgbouncer-modern.sh passes max_prepared_statements).
EXTRA_SETTINGS=${PGBOUNCER_EXTRA_SETTINGS:-}

log() { echo "[pgbouncer] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cd /

if [ ! -x "$BIN" ] && [ -z "${PGBOUNCER_BIN:-}" ]; then
  [ "$(id -u)" -eq 0 ] || die "need root to apt-get install pgbouncer"
  log "installing pgbouncer via apt"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -qq -o=Dpkg::Use-Pty=0 install -y --no-install-recommends pgbouncer >/dev/null 2>&1 ||
    { apt-get -qq update >/dev/null && apt-get -qq -o=Dpkg::Use-Pty=0 install -y --no-install-recommends pgbouncer >/dev/null; }
  # The package's own service (if a service manager started it) is not ours.
  (service pgbouncer stop || true) >/dev/null 2>&1
fi

if (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; then
  log "already listening on $HOST:$PORT"
else
  mkdir -p "$DIR"
  cat >"$DIR/pgbouncer.ini" <<EOF
; Managed by .ci/pgbouncer.sh (throwaway, overwritten on start)
[databases]
* = host=$HOST port=$SERVER_PORT

[pgbouncer]
listen_addr = $HOST
listen_port = $PORT
unix_socket_dir =
auth_type = trust
auth_file = $DIR/userlist.txt
pool_mode = transaction
default_pool_size = 20
max_client_conn = 1000
max_db_connections = 60
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = $DIR/pgbouncer.log
pidfile = $DIR/pgbouncer.pid
admin_users = postgres
$EXTRA_SETTINGS
EOF
  printf '"postgres" "postgres"\n"app_runtime" "app_runtime"\n' >"$DIR/userlist.txt"
  [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$DIR"
  log "starting $("$BIN" --version | head -n 1) on $HOST:$PORT -> $HOST:$SERVER_PORT (transaction mode)"
  as_pg "$BIN" -d "$DIR/pgbouncer.ini" || { tail -n 20 "$DIR/pgbouncer.log" >&2; die "pgbouncer did not start"; }
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null && break
    sleep 0.1
  done
  (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null || die "pgbouncer is not listening on $PORT"
fi

echo "TEST_POOLER_URL=postgres://$HOST:$PORT"
