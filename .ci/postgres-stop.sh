#!/usr/bin/env bash
# Stop the throwaway test cluster started by .ci/postgres.sh (idempotent).
# PG_STOP_MODE=immediate stops it as a crash would (the restart test does).
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin
# tmpfs when there is one: a throwaway cluster (fsync off) gains nothing from a disk, and
# CREATE DATABASE ... TEMPLATE (one per test file) is 5-10x faster there (bench:testdb).
if [ -d /dev/shm ] && [ -w /dev/shm ]; then DEFAULT_PG_DATA=/dev/shm/repo-db-pg15; else DEFAULT_PG_DATA=/tmp/repo-db-pg15; fi
PG_DATA=${REPO_PG_DATA:-$DEFAULT_PG_DATA}

log() { echo "[postgres] $*" >&2; }
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
cd /

if [ -f "$PG_DATA/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
  log "stopping server ($PG_DATA)"
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m "${PG_STOP_MODE:-fast}" -w -t 60 stop >/dev/null
  log "stopped"
else
  log "server not running ($PG_DATA)"
fi
