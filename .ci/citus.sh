#!/usr/bin/env bash
# Throwaway Citus 13.2.2 cluster for tests: a coordinator on 127.0.0.1:5440 and two workers
# on 5441/5442, each its own PostgreSQL 15 data dir with shared_preload_libraries = 'citus'.
#
# Idempotent: builds Citus from the vendored source only when the installed extension is not
# 13.2.2 (printing the build time), installs apt build deps only when missing, initialises a
# data dir only when absent, starts a node only when nothing answers on its port, and
# registers the workers only when the coordinator lacks them. Progress goes to stderr; the
# last stdout line is TEST_CITUS_URL=... so callers can `eval`/append it to env.
#
# NOT for real data: fsync is off, and 127.0.0.1 is trusted (no password) on every node.
# Stop it with `.ci/citus.sh stop`.
set -euo pipefail

PG_MAJOR=15
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
PG_CONFIG=$PG_BIN/pg_config
HOST=127.0.0.1
COORDINATOR_PORT=${REPO_CITUS_PORT:-5440}
WORKER_PORTS=("$((COORDINATOR_PORT + 1))" "$((COORDINATOR_PORT + 2))")
CITUS_VERSION=13.2.2
REPO_ROOT=$(cd "$(dirname "$0")/.." && pwd)
CITUS_SOURCE=${REPO_CITUS_SOURCE:-$REPO_ROOT/../shared/vendor/citus-$CITUS_VERSION.tar.gz}
[ -f "$CITUS_SOURCE" ] || CITUS_SOURCE=/work/shared/vendor/citus-$CITUS_VERSION.tar.gz
DATA_ROOT=${REPO_CITUS_DATA:-/var/lib/postgresql/citus-ci}
CITUS_URL="postgres://postgres@$HOST:$COORDINATOR_PORT/postgres"

export DEBIAN_FRONTEND=noninteractive
cd / # the postgres user must be able to access the cwd

log() { echo "[citus] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }
as_pg() { if is_root; then runuser -u postgres -- "$@"; else "$@"; fi; }
quiet() {
  local out
  if ! out=$("$@" 2>&1); then
    printf '%s\n' "$out" | tail -n 30 >&2
    return 1
  fi
}
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; }
APT_UPDATED=0
apt_install() {
  is_root || die "need root to apt-get install $*"
  local cmd=(apt-get -qq -o=Dpkg::Use-Pty=0 install -y --no-install-recommends "$@")
  if ! quiet "${cmd[@]}"; then
    [ "$APT_UPDATED" -eq 0 ] || return 1
    log "apt-get install failed; running apt-get update and retrying"
    quiet apt-get -qq update
    APT_UPDATED=1
    quiet "${cmd[@]}"
  fi
}
psql_at() { "$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 "postgres://postgres@$HOST:$1/postgres" "${@:2}"; }
node_dirs=("$DATA_ROOT/c" "$DATA_ROOT/w1" "$DATA_ROOT/w2")
node_ports=("$COORDINATOR_PORT" "${WORKER_PORTS[@]}")

if [ "${1:-}" = "stop" ]; then
  for dir in "${node_dirs[@]}"; do
    [ -f "$dir/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null && log "stopped $dir"
  done
  exit 0
fi

mkdir -p "$DATA_ROOT"
is_root && chown postgres:postgres "$DATA_ROOT"
exec 9>"$DATA_ROOT.lock"
flock -w 600 9 || die "timed out waiting for $DATA_ROOT.lock"

# --- 1. Citus binaries (cached: built once per machine) -----------------------
# The control file says 13.2-1 (the SQL schema version); the library carries the release.
citus_so() { echo "$("$PG_CONFIG" --pkglibdir)/citus.so"; }
installed_version() { grep -ao 'Citus [0-9][0-9.]*' "$(citus_so)" 2>/dev/null | head -n 1 | cut -d' ' -f2 || true; }
if [ -f "$(citus_so)" ] && [ "$(installed_version)" = "$CITUS_VERSION" ]; then
  log "citus $CITUS_VERSION already installed (build skipped)"
else
  [ -f "$CITUS_SOURCE" ] || die "no Citus source at $CITUS_SOURCE: set REPO_CITUS_SOURCE"
  build_started=$(date +%s)
  missing=()
  for p in "postgresql-server-dev-$PG_MAJOR" build-essential liblz4-dev libzstd-dev libkrb5-dev \
    libselinux1-dev libxslt1-dev libpam0g-dev libreadline-dev; do
    pkg_installed "$p" || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    apt_install "${missing[@]}"
  fi
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  tar xzf "$CITUS_SOURCE" -C "$tmp"
  src="$tmp/citus-$CITUS_VERSION"
  # Newer PG 15 minor headers export have_createdb_privilege(); Citus's static inline copy for
  # PG 15 then fails to compile ("static declaration follows non-static declaration").
  if grep -rqs "have_createdb_privilege(void)" "$("$PG_CONFIG" --includedir-server)"; then
    log "dropping Citus's PG 15 copy of have_createdb_privilege() (the server headers declare it)"
    perl -0pi -e 's/static inline bool\s*\nhave_createdb_privilege\(void\)\s*\n\{.*?\n\}\n//s' \
      "$src/src/include/pg_version_compat.h"
  fi
  log "building citus $CITUS_VERSION (configure + make -j$(nproc))"
  (cd "$src" && quiet ./configure --without-libcurl PG_CONFIG="$PG_CONFIG")
  quiet make -C "$src" -j"$(nproc)"
  quiet make -C "$src" install
  rm -rf "$tmp"
  trap - EXIT
  [ "$(installed_version)" = "$CITUS_VERSION" ] || die "citus install did not produce version $CITUS_VERSION"
  log "citus build time: $(($(date +%s) - build_started)) s"
fi

# --- 2. Nodes -----------------------------------------------------------------
start_node() {
  local dir=$1 port=$2
  if as_pg "$PG_BIN/pg_isready" -q -h "$HOST" -p "$port"; then
    log "node already running on $HOST:$port"
    return
  fi
  if [ ! -f "$dir/PG_VERSION" ]; then
    log "initdb $dir"
    rm -rf "$dir"
    mkdir -p "$dir"
    is_root && chown postgres:postgres "$dir"
    chmod 700 "$dir"
    quiet as_pg "$PG_BIN/initdb" -D "$dir" --auth-local=trust --auth-host=reject -U postgres \
      --encoding=UTF8 --locale=C.UTF-8 --no-sync
    echo "include_if_exists = 'repo-ci.conf'" >>"$dir/postgresql.conf"
    # Trust 127.0.0.1 only (the nodes reach each other there); every other host is refused.
    cat >"$dir/pg_hba.conf" <<HBA
# Managed by .ci/citus.sh (throwaway test cluster)
local all all trust
host all all 127.0.0.1/32 trust
HBA
  fi
  mkdir -p "$dir-run"
  is_root && chown postgres:postgres "$dir-run"
  cat >"$dir/repo-ci.conf" <<CONF
# Managed by .ci/citus.sh (throwaway test cluster; overwritten on start)
listen_addresses = '$HOST'
port = $port
unix_socket_directories = '$dir-run'
shared_preload_libraries = 'citus'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  is_root && chown postgres:postgres "$dir/repo-ci.conf" "$dir/pg_hba.conf"
  touch "$dir.log"
  is_root && chown postgres:postgres "$dir.log"
  log "starting node on $HOST:$port (log: $dir.log)"
  if ! as_pg "$PG_BIN/pg_ctl" -D "$dir" -l "$dir.log" -w -t 60 start >/dev/null 9>&-; then
    tail -n 20 "$dir.log" >&2 || true
    die "pg_ctl start failed for $dir"
  fi
}

start_started=$(date +%s)
for i in "${!node_dirs[@]}"; do start_node "${node_dirs[$i]}" "${node_ports[$i]}"; done

# --- 3. Extension and membership (in the postgres database of every node) -----
for port in "${node_ports[@]}"; do
  psql_at "$port" -c "set client_min_messages = warning" -c "create extension if not exists citus" \
    || die "create extension citus failed on $HOST:$port"
done
registered=$(psql_at "$COORDINATOR_PORT" -c "select count(*) from pg_dist_node where noderole = 'primary' and nodeport <> $COORDINATOR_PORT")
if [ "$registered" != "${#WORKER_PORTS[@]}" ]; then
  psql_at "$COORDINATOR_PORT" -c "select citus_set_coordinator_host('$HOST', $COORDINATOR_PORT)" >/dev/null
  for port in "${WORKER_PORTS[@]}"; do
    psql_at "$COORDINATOR_PORT" -c "select citus_add_node('$HOST', $port)" >/dev/null
  done
  log "registered workers ${WORKER_PORTS[*]}"
fi
nodes=$(psql_at "$COORDINATOR_PORT" -c "select string_agg(nodeport::text, ',' order by nodeport) from pg_dist_node")
version=$(psql_at "$COORDINATOR_PORT" -c "select extversion from pg_extension where extname = 'citus'")
log "ok: citus $version, nodes $nodes, cluster ready in $(($(date +%s) - start_started)) s"

echo "TEST_CITUS_URL=$CITUS_URL"
