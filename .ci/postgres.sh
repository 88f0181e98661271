#!/usr/bin/env bash
# Source this file: it makes sure a PostgreSQL server is reachable for the CRM tests and
# exports VEILLE_TEST_POSTGRES_DSN. A DSN already exported and answering is kept; else a
# throw-away server is started from Debian's `postgresql` package (installed with apt-get
# when missing) in a temporary directory on a free port, so it never touches a cluster
# of the machine. The tests create and drop their own databases on it.

_veille_pg_bindir() {
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir
    return
  fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

_veille_pg_start() {
  local bindir sudo="" port dir runas=()
  if [ -n "${VEILLE_TEST_POSTGRES_DSN:-}" ] && command -v pg_isready >/dev/null 2>&1 \
      && pg_isready -q -d "$VEILLE_TEST_POSTGRES_DSN"; then
    echo "CI: PostgreSQL reachable at the exported VEILLE_TEST_POSTGRES_DSN" >&2
    return 0
  fi
  bindir="$(_veille_pg_bindir)"
  if [ -z "$bindir" ] && command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
    echo "CI: installing postgresql" >&2
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
    bindir="$(_veille_pg_bindir)"
  fi
  if [ -z "$bindir" ]; then
    echo "CI: no PostgreSQL server available; the PostgreSQL tests will skip" >&2
    return 0
  fi
  dir="$(mktemp -d /tmp/veille-pg.XXXXXX)"
  # initdb refuses to run as root: the server runs as the postgres user where we are root.
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$dir"
    runas=(runuser -u postgres --)
  fi
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  "${runas[@]}" "$bindir/initdb" -D "$dir/data" -U veille --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 \
    || { echo "CI: initdb failed (see $dir/initdb.log)" >&2; return 0; }
  "${runas[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null \
    || { echo "CI: PostgreSQL did not start (see $dir/server.log)" >&2; return 0; }
  export VEILLE_TEST_POSTGRES_DSN="postgresql://veille@127.0.0.1:$port/postgres"
  export VEILLE_TEST_POSTGRES_DATA="$dir/data"
  export VEILLE_TEST_POSTGRES_BINDIR="$bindir"
  echo "CI: PostgreSQL started on 127.0.0.1:$port ($dir)" >&2
}

# Stop the server this file started (none when the DSN came from outside).
veille_pg_stop() {
  if [ -n "${VEILLE_TEST_POSTGRES_DATA:-}" ] && [ -d "$VEILLE_TEST_POSTGRES_DATA" ]; then
    local runas=()
    [ "$(id -u)" -eq 0 ] && runas=(runuser -u postgres --)
    "${runas[@]}" "$VEILLE_TEST_POSTGRES_BINDIR/pg_ctl" -D "$VEILLE_TEST_POSTGRES_DATA" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$(dirname "$VEILLE_TEST_POSTGRES_DATA")"
  fi
}

_veille_pg_start
