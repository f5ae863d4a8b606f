#!/usr/bin/env bash
# A throwaway PostgreSQL server for the PostgreSQL store's tests.
#
#   tests/pg/server.sh start DIR   initdb a cluster in a fresh /tmp directory,
#                                  start it on a free loopback port, and write
#                                  its conninfo to DIR/conninfo
#   tests/pg/server.sh stop DIR    stop it and remove its files
#
# PostgreSQL refuses to run as root: as root, initdb and pg_ctl run as the
# postgres user (runuser); otherwise as the caller. The cluster lives under
# /tmp so that the postgres user can reach it whatever DIR is. It listens on
# 127.0.0.1 only, with a socket in its own directory, so it neither uses nor
# disturbs a server the distribution started (port 5432). It trades
# durability for speed (fsync=off): it holds test data only.
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?the directory for the conninfo file}
bindir=$(pg_config --bindir)

as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop() {
  [ -f "$dir/datadir" ] || return 0
  local data
  data=$(cat "$dir/datadir")
  if [ -f "$data/pgdata/postmaster.pid" ]; then
    as_postgres "$bindir/pg_ctl" -D "$data/pgdata" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  case $data in /tmp/redress-pg-*) rm -rf "$data" ;; esac
  rm -f "$dir/datadir" "$dir/conninfo"
}

case $cmd in
  start)
    mkdir -p "$dir"
    stop  # a server left behind by an interrupted run
    data=$(mktemp -d /tmp/redress-pg-XXXXXX)
    echo "$data" >"$dir/datadir"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$data"; fi
    chmod 700 "$data"
    if ! as_postgres "$bindir/initdb" -D "$data/pgdata" -U postgres -A trust -E UTF8 --locale=C --no-sync \
      >"$data/initdb.log" 2>&1; then
      cat "$data/initdb.log" >&2
      exit 1
    fi
    port=
    for _ in $(seq 1 20); do
      candidate=$((20000 + RANDOM % 30000))
      # Something answers there already: try another.
      if (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then continue; fi
      if as_postgres "$bindir/pg_ctl" -D "$data/pgdata" -l "$data/pgdata/server.log" -w -t 60 \
        -o "-p $candidate -k $data -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" \
        start >/dev/null; then
        port=$candidate
        break
      fi
    done
    if [ -z "$port" ]; then
      echo "server.sh: PostgreSQL did not start; its log:" >&2
      cat "$data/pgdata/server.log" >&2 || true
      exit 1
    fi
    conninfo="host=127.0.0.1 port=$port user=postgres dbname=postgres"
    # A database of another encoding, for the test that refuses it.
    "$bindir/psql" "$conninfo" -qX -v ON_ERROR_STOP=1 \
      -c "CREATE DATABASE latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0" >/dev/null
    echo "$conninfo" >"$dir/conninfo"
    echo "server.sh: PostgreSQL on 127.0.0.1:$port, data in $data"
    ;;
  stop)
    stop
    ;;
  *)
    echo "usage: server.sh start|stop DIR" >&2
    exit 2
    ;;
esac
