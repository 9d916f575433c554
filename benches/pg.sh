# The throwaway PostgreSQL server every benchmark runs (sourced by
# benches/lib.sh, and by benches/alerts.sh, which keeps its own
# environment). Expects W, the benchmark's working folder.

# PostgreSQL's server programs (PG_BIN, or the newest installed): whether
# initdb is there.
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
have_postgres() { [[ -x $PG_BIN/initdb ]]; }

# start_postgres: a throwaway server in $W/pg (default settings, fsync
# on, a unix socket, as the postgres user when run as root); stop_postgres
# stops it (the caller's exit trap); PSQL is its client, PGDIR its
# socket directory. Fails naming the package when it is not installed.
PG_UP=0
as_pg=()
start_postgres() {
    have_postgres || { echo "benches: needs PostgreSQL's initdb: apt-get install postgresql" >&2; exit 1; }
    if [[ $(id -u) == 0 ]]; then
        as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups)
        chmod o+rx "$W"
    fi
    PGDIR=$W/pg
    mkdir -p "$PGDIR"
    [[ $(id -u) == 0 ]] && chown postgres:postgres "$PGDIR"
    "${as_pg[@]}" "$PG_BIN/initdb" -D "$PGDIR/data" -U postgres -A trust -E UTF8 --locale=C >/dev/null
    "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
        -o "-k $PGDIR -c listen_addresses= -p 5432" start >/dev/null
    PG_UP=1
    PSQL=("$PG_BIN/psql" -X -q -h "$PGDIR" -U postgres)
}
stop_postgres() {
    [[ $PG_UP == 1 ]] || return 0
    "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
    PG_UP=0
}
