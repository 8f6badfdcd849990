#!/usr/bin/env bash
# A PgBouncer >= 1.21 in transaction mode that keeps prepared statements across server
# connections (max_prepared_statements), in front of the test server, for the second pooled
# pass: the fast path (DB_PREPARED_STATEMENTS=true) behind a pooler.
#
#   .ci/pgbouncer-modern.sh [port] [server-port]     default 6433 -> 5433
#
# Debian bookworm ships 1.18, so this builds Debian trixie's source package (as .ci/postgres.sh
# builds pgvector) into /opt/pgbouncer-<version>: about 140 s once, nothing when the binary is
# there. Then .ci/pgbouncer.sh runs it with the same config plus max_prepared_statements.
# The last stdout line is TEST_MODERN_POOLER_URL=... .
set -euo pipefail

PORT=${1:-6433}
SERVER_PORT=${2:-5433}
PREFIX_ROOT=${PGBOUNCER_PREFIX_ROOT:-/opt}
HERE=$(cd "$(dirname "$0")" && pwd)

log() { echo "[pgbouncer-modern] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
quiet() {
  local out
  if ! out=$("$@" 2>&1); then
    printf '%s\n' "$out" | tail -n 30 >&2
    return 1
  fi
}

# Any built >= 1.21 is fine; the newest wins.
find_bin() {
  local b
  for b in $(ls -d "$PREFIX_ROOT"/pgbouncer-*/bin/pgbouncer 2>/dev/null | sort -V -r); do
    [ -x "$b" ] && { echo "$b"; return 0; }
  done
  return 1
}

if ! BIN=$(find_bin); then
  [ "$(id -u)" -eq 0 ] || die "need root to install build dependencies and write $PREFIX_ROOT"
  log "building PgBouncer from Debian trixie source (once, about 140 s)"
  export DEBIAN_FRONTEND=noninteractive
  deps=(build-essential dpkg-dev pkg-config libevent-dev libssl-dev libc-ares-dev)
  quiet apt-get -qq -o=Dpkg::Use-Pty=0 install -y --no-install-recommends "${deps[@]}" ||
    { quiet apt-get -qq update && quiet apt-get -qq -o=Dpkg::Use-Pty=0 install -y --no-install-recommends "${deps[@]}"; }
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  # The trixie deb-src entry lives only in the temp dir: the system's apt setup stays as it is.
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
  (cd "$tmp" && quiet apt-get -qq "${apt_trixie[@]}" --only-source source pgbouncer)
  src=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d -name 'pgbouncer-*' | head -n 1)
  [ -n "$src" ] || die "apt-get source pgbouncer produced no source dir"
  version=${src##*/pgbouncer-}
  prefix=$PREFIX_ROOT/pgbouncer-$version
  # The release tarball ships a generated configure; no pandoc: the man pages are not needed.
  (cd "$src" && quiet ./configure --prefix="$prefix" --with-cares --without-systemd)
  quiet make -C "$src" -j"$(nproc)"
  quiet make -C "$src" install
  rm -rf "$tmp"
  trap - EXIT
  BIN=$(find_bin) || die "the build did not produce $prefix/bin/pgbouncer"
  log "installed $("$BIN" --version | head -n 1) in $prefix"
fi

version=$("$BIN" --version | head -n 1 | grep -oE '[0-9]+\.[0-9]+(\.[0-9]+)?')
[ "$(printf '1.21\n%s\n' "$version" | sort -V | head -n 1)" = 1.21 ] ||
  die "PgBouncer $version at $BIN keeps no prepared statements in transaction mode: need >= 1.21"

url=$(PGBOUNCER_BIN=$BIN PGBOUNCER_EXTRA_SETTINGS="max_prepared_statements = 200" \
  bash "$HERE/pgbouncer.sh" "$PORT" "$SERVER_PORT" | tail -n 1)
echo "TEST_MODERN_POOLER_URL=${url#TEST_POOLER_URL=}"
