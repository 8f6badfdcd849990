#!/usr/bin/env bash
# A streaming replica of the CI primary (.ci/postgres.sh), on 127.0.0.1:5434.
#
# pg_basebackup -R copies the primary's cluster and writes primary_conninfo plus
# standby.signal, so the copy starts as a hot standby that replays the primary's WAL:
# every database created on the primary (one per test file) appears here after replay.
# Idempotent: does nothing when a server already answers on the port; takes a fresh
# base backup when the data dir is missing or is not a standby. The primary's defaults
# suffice (wal_level replica, max_wal_senders 10, initdb's trust replication lines).
# Last stdout line: TEST_REPLICA_URL=...
set -euo pipefail

PG_MAJOR=15
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
PG_HOST=127.0.0.1
PRIMARY_PORT=${REPO_PG_PORT:-5433}
REPLICA_PORT=${REPO_REPLICA_PORT:-5434}
if [ -d /dev/shm ] && [ -w /dev/shm ]; then DEFAULT_DATA=/dev/shm/repo-db-pg15-replica; else DEFAULT_DATA=/tmp/repo-db-pg15-replica; fi
REPLICA_DATA=${REPO_REPLICA_DATA:-$DEFAULT_DATA}
REPLICA_RUN=${REPLICA_DATA}-run
REPLICA_LOG=${REPLICA_DATA}.log
SLOT=repo_ci_replica

cd / # the postgres user must be able to access the cwd

log() { echo "[replica] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }
# pg_basebackup/pg_ctl as the owner of the data dir.
as_pg() { if is_root; then runuser -u postgres -- "$@"; else "$@"; fi; }
quiet() {
  local out
  if ! out=$("$@" 2>&1); then
    printf '%s\n' "$out" | tail -n 30 >&2
    return 1
  fi
}

exec 9>"${REPLICA_DATA}.lock"
flock -w 300 9 || die "timed out waiting for ${REPLICA_DATA}.lock"

as_pg "$PG_BIN/pg_isready" -q -h "$PG_HOST" -p "$PRIMARY_PORT" \
  || die "no primary on $PG_HOST:$PRIMARY_PORT: run .ci/postgres.sh first"

if as_pg "$PG_BIN/pg_isready" -q -h "$PG_HOST" -p "$REPLICA_PORT"; then
  log "server already running on $PG_HOST:$REPLICA_PORT"
else
  if [ ! -f "$REPLICA_DATA/standby.signal" ]; then
    log "pg_basebackup from $PG_HOST:$PRIMARY_PORT into $REPLICA_DATA"
    rm -rf "$REPLICA_DATA"
    mkdir -p "$REPLICA_DATA"
    is_root && chown postgres:postgres "$REPLICA_DATA"
    chmod 700 "$REPLICA_DATA"
    # A physical slot keeps the primary's WAL until the standby has it: without one, a burst of
    # writes (CREATE DATABASE per test file) recycles segments the standby still needs.
    "$PG_BIN/psql" -X -q -A -t "postgres://postgres@$PG_HOST:$PRIMARY_PORT/postgres" -c \
      "select pg_drop_replication_slot('$SLOT') from pg_replication_slots where slot_name = '$SLOT'" >/dev/null
    # -X stream: the WAL written during the copy comes along; -R: standby.signal + primary_conninfo.
    quiet as_pg "$PG_BIN/pg_basebackup" -h "$PG_HOST" -p "$PRIMARY_PORT" -U postgres \
      -D "$REPLICA_DATA" -R -X stream -C -S "$SLOT" -c fast --no-sync
  fi
  mkdir -p "$REPLICA_RUN"
  is_root && chown postgres:postgres "$REPLICA_RUN"
  # The primary's repo-ci.conf came along with the copy; this file is included after it.
  cat >"$REPLICA_DATA/repo-ci.conf" <<CONF
# Managed by .ci/replica.sh (throwaway hot standby; overwritten on start)
listen_addresses = '$PG_HOST'
port = $REPLICA_PORT
unix_socket_directories = '$REPLICA_RUN'
max_connections = 200
fsync = off
full_page_writes = off
hot_standby = on
# Queries on the standby are not cancelled by conflicting replay for up to this long.
max_standby_streaming_delay = 30s
hot_standby_feedback = on
CONF
  is_root && chown postgres:postgres "$REPLICA_DATA/repo-ci.conf"
  touch "$REPLICA_LOG"
  is_root && chown postgres:postgres "$REPLICA_LOG"
  log "starting standby on $PG_HOST:$REPLICA_PORT (log: $REPLICA_LOG)"
  if ! as_pg "$PG_BIN/pg_ctl" -D "$REPLICA_DATA" -l "$REPLICA_LOG" -w -t 60 start >/dev/null 9>&-; then
    tail -n 20 "$REPLICA_LOG" >&2 || true
    die "pg_ctl start failed"
  fi
fi

replica_url="postgres://postgres@$PG_HOST:$REPLICA_PORT/postgres"
in_recovery=$("$PG_BIN/psql" -X -A -t -v ON_ERROR_STOP=1 "$replica_url" -c "select pg_is_in_recovery()")
[ "$in_recovery" = "t" ] || die "the server on $PG_HOST:$REPLICA_PORT is not a standby"
streaming=$("$PG_BIN/psql" -X -A -t "postgres://postgres@$PG_HOST:$PRIMARY_PORT/postgres" \
  -c "select count(*) from pg_stat_replication where state = 'streaming'")
log "ok: standby in recovery; primary streams to $streaming standby(s)"

echo "TEST_REPLICA_URL=$replica_url"
