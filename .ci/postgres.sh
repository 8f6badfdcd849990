#!/usr/bin/env bash
# Throwaway PostgreSQL 15 + pgvector cluster for tests, on 127.0.0.1:5433.
#
# Idempotent: installs postgresql-15 / builds pgvector only when missing,
# initialises the cluster only when the data dir is absent, and does nothing
# when a server already answers on the port. Progress goes to stderr; the last
# stdout line is TEST_DATABASE_URL=... so callers can `eval`/append it to env.
#
# NOT for real data: fsync/full_page_writes are off and auth is "trust".
# Stop it with .ci/postgres-stop.sh.
set -euo pipefail

PG_MAJOR=15
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
PG_HOST=127.0.0.1
PG_PORT=${REPO_PG_PORT:-5433}
# tmpfs when there is one: a throwaway cluster (fsync off) gains nothing from a disk, and
# CREATE DATABASE ... TEMPLATE (one per test file) is 5-10x faster there (bench:testdb).
if [ -d /dev/shm ] && [ -w /dev/shm ]; then DEFAULT_PG_DATA=/dev/shm/repo-db-pg15; else DEFAULT_PG_DATA=/tmp/repo-db-pg15; fi
PG_DATA=${REPO_PG_DATA:-$DEFAULT_PG_DATA}
PG_RUN=${PG_DATA}-run # unix socket dir
PG_LOG=${PG_DATA}.log
VECTOR_CONTROL=/usr/share/postgresql/$PG_MAJOR/extension/vector.control
DB_URL="postgres://postgres@$PG_HOST:$PG_PORT/postgres"

export DEBIAN_FRONTEND=noninteractive
cd / # the postgres user must be able to access the cwd

log() { echo "[postgres] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Run a command with its output captured; show the tail only on failure.
quiet() {
  local out
  if ! out=$("$@" 2>&1); then
    printf '%s\n' "$out" | tail -n 30 >&2
    return 1
  fi
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# initdb/pg_ctl refuse to run as root.
as_pg() {
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

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

pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; }

# Serialise concurrent invocations (parallel CI jobs). fd 9 must not leak into
# the server (see pg_ctl below), or the lock would be held for its lifetime.
exec 9>"${PG_DATA}.lock"
flock -w 300 9 || die "timed out waiting for ${PG_DATA}.lock"

# --- 1. PostgreSQL server binaries -----------------------------------------
if [ ! -x "$PG_BIN/initdb" ]; then
  log "installing postgresql-$PG_MAJOR via apt"
  apt_install "postgresql-$PG_MAJOR"
fi

# --- 2. pgvector -------------------------------------------------------------
# Not packaged for bookworm: build Debian trixie's source package. The trixie
# deb-src entry lives only in a temp dir (own sources list, lists dir and cache),
# so the system's apt configuration and lists are left untouched.
if [ ! -f "$VECTOR_CONTROL" ]; then
  log "building pgvector from Debian trixie source"
  build_pkgs=()
  for p in "postgresql-server-dev-$PG_MAJOR" build-essential dpkg-dev; do
    pkg_installed "$p" || build_pkgs+=("$p")
  done
  if [ "${#build_pkgs[@]}" -gt 0 ]; then
    log "installing ${build_pkgs[*]}"
    apt_install "${build_pkgs[@]}"
  fi

  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial"
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
    >"$tmp/trixie-src.list"
  apt_trixie=(
    -o "Dir::Etc::sourcelist=$tmp/trixie-src.list"
    -o Dir::Etc::sourceparts=-
    -o "Dir::State::Lists=$tmp/lists"
    -o "Dir::Cache=$tmp/cache"
    -o APT::Get::List-Cleanup=0
    -o APT::Sandbox::User=root
  )
  quiet apt-get -qq "${apt_trixie[@]}" update
  (cd "$tmp" && quiet apt-get -qq "${apt_trixie[@]}" --only-source source pgvector)
  src=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d -name 'pgvector-*' | head -n 1)
  [ -n "$src" ] || die "apt-get source pgvector produced no source dir"
  # Debian's no-native patch already drops -march=native; OPTFLAGS= makes sure.
  quiet make -C "$src" -j"$(nproc)" PG_CONFIG="$PG_BIN/pg_config" OPTFLAGS=
  quiet make -C "$src" install PG_CONFIG="$PG_BIN/pg_config" OPTFLAGS=
  [ -f "$VECTOR_CONTROL" ] || die "pgvector install did not produce $VECTOR_CONTROL"
  log "installed ${src##*/}"
  rm -rf "$tmp"
  trap - EXIT
fi

# --- 3. Cluster --------------------------------------------------------------
if as_pg "$PG_BIN/pg_isready" -q -h "$PG_HOST" -p "$PG_PORT"; then
  log "server already running on $PG_HOST:$PG_PORT"
else
  if [ -d "$PG_DATA" ] && [ "$(cat "$PG_DATA/PG_VERSION" 2>/dev/null || true)" != "$PG_MAJOR" ]; then
    log "discarding unusable data dir $PG_DATA"
    rm -rf "$PG_DATA"
  fi
  if [ ! -d "$PG_DATA" ]; then
    log "initdb $PG_DATA"
    mkdir -p "$PG_DATA"
    is_root && chown postgres:postgres "$PG_DATA"
    chmod 700 "$PG_DATA"
    quiet as_pg "$PG_BIN/initdb" -D "$PG_DATA" --auth=trust -U postgres \
      --encoding=UTF8 --locale=C.UTF-8 --no-sync
    echo "include_if_exists = 'repo-ci.conf'" >>"$PG_DATA/postgresql.conf"
  fi
  mkdir -p "$PG_RUN"
  is_root && chown postgres:postgres "$PG_RUN"
  # Rewritten on every start so config changes here take effect.
  cat >"$PG_DATA/repo-ci.conf" <<EOF
# Managed by .ci/postgres.sh (throwaway test cluster; overwritten on start)
listen_addresses = '$PG_HOST'
port = $PG_PORT
unix_socket_directories = '$PG_RUN'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  is_root && chown postgres:postgres "$PG_DATA/repo-ci.conf"
  touch "$PG_LOG"
  is_root && chown postgres:postgres "$PG_LOG"
  log "starting server on $PG_HOST:$PG_PORT (log: $PG_LOG)"
  if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start >/dev/null 9>&-; then
    tail -n 20 "$PG_LOG" >&2 || true
    die "pg_ctl start failed"
  fi
fi

# --- 4. Verify pgvector in a scratch database ---------------------------------
check_db="vector_check_$$"
admin_url="postgres://postgres@$PG_HOST:$PG_PORT"
psql_q() { PGOPTIONS='-c client_min_messages=warning' "$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }
psql_q "$admin_url/postgres" -c "drop database if exists $check_db" -c "create database $check_db" \
  || die "cannot connect/create database on $PG_HOST:$PG_PORT"
if ! version=$(psql_q "$admin_url/$check_db" \
  -c "create extension vector" \
  -c "select '[1,2,3]'::vector <-> '[1,2,4]'::vector" \
  -c "select split_part(current_setting('server_version'), ' ', 1) || ', pgvector ' || extversion
      from pg_extension where extname = 'vector'" | tail -n 1); then
  psql_q "$admin_url/postgres" -c "drop database if exists $check_db" || true
  die "pgvector check failed"
fi
psql_q "$admin_url/postgres" -c "drop database $check_db"
log "ok: PostgreSQL $version"

echo "TEST_DATABASE_URL=$DB_URL"
