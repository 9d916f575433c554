#!/usr/bin/env bash
# The notification benchmarks (docs/notifications.md), on the release
# binary, against a loopback HTTP receiver (benches/notify.py) standing in
# for three destinations: a `webhook` and two `slack` ones, each taking
# every event (events = ["*"]).
#
# 1. Write cost: `update` and `declare` on a database whose configuration
#    has the three destinations while `incident notify --watch` delivers
#    them, against the same commands on a database with no destinations and
#    no deliverer; hyperfine, interleaved blocks (benches/lib.sh), the ratio
#    of the medians. Then the same with the destinations configured but no
#    deliverer running, to tell the configuration from the deliverer.
# 2. Load: RATE `incident update` a second (default 100) for SECONDS
#    (default 60) over 10 open incidents, each started on schedule, while
#    one `notify --watch` delivers to the three destinations. Latency per
#    event and destination = arrival at the receiver minus the start of the
#    command that recorded it (an upper bound; minus its end, a lower
#    bound). Prints p50/p99/max, whether every event arrived once, how
#    long the backlog took to drain after the last write, and the
#    deliverer's CPU time.
# 3. Capacity: a backlog recorded with no deliverer running, then drained
#    by one `incident notify`: sends per second with no writer competing.
# 4. Idle: what a deliverer does for 10 s with nothing recorded (CPU time,
#    bytes written, from /proc).
#
# Each part runs on SQLite, and on PostgreSQL too when its server programs
# are installed (a throwaway server, as benches/postgres.sh starts one).
#
#   bash benches/notify.sh                       # about 10 minutes on 2 cores
#   bash benches/notify.sh --quick               # fewer runs, a 20 s load
#   bash benches/notify.sh --rate 100 --seconds 60 --no-postgres
#
# Results: a table on stdout, the write-cost rows as TSV in $OUT (default
# target/bench/notify.tsv), and each load run's figures as JSON beside it.
# Needs hyperfine, python3, sqlite3 (on Debian/Ubuntu as root it installs
# them); PostgreSQL's server programs for the PostgreSQL half.
set -euo pipefail

QUICK=0 RATE=100 LOAD_SECONDS=60 PG=auto
while (($#)); do
    case $1 in
    --quick) QUICK=1 LOAD_SECONDS=20 ;;
    --rate) RATE=$2; shift ;;
    --seconds) LOAD_SECONDS=$2; shift ;;
    --postgres) PG=yes ;;
    --no-postgres) PG=no ;;
    *) echo "usage: bash benches/notify.sh [--quick] [--rate N] [--seconds S] [--postgres|--no-postgres]" >&2; exit 2 ;;
    esac
    shift
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/target/bench/notify.tsv}
mkdir -p "$(dirname "$OUT")"
HELPER=$ROOT/benches/notify.py

source "$ROOT/benches/lib.sh"

# Everything this script starts is stopped on the way out, by its id.
STARTED=()
cleanup() {
    local pid
    for pid in "${STARTED[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    stop_postgres
    rm -rf "$W"
}
trap cleanup EXIT

TEXT="Rolled back deploy 482 on checkout-api; error rate falling, watching p99 latency"

# receiver LOG: starts a receiver; sets RECV_PID and RECV_PORT, and points
# the three destinations' secrets at it.
receiver() {
    local fifo=$W/port.$RANDOM
    python3 -u "$HELPER" receive "$1" >"$fifo" 2>"$W/receiver.err" &
    RECV_PID=$!
    STARTED+=("$RECV_PID")
    for _ in $(seq 100); do [[ -s $fifo ]] && break; sleep 0.05; done
    RECV_PORT=$(head -1 "$fifo")
    [[ -n $RECV_PORT ]] || { cat "$W/receiver.err" >&2; exit 1; }
    export BENCH_SLACK_A=http://127.0.0.1:$RECV_PORT/slack-a
    export BENCH_SLACK_B=http://127.0.0.1:$RECV_PORT/slack-b
    cat >"$W/notify.toml" <<EOF
[[notify]]
name = "hook"
kind = "webhook"
url = "http://127.0.0.1:$RECV_PORT/hook"
events = ["*"]

[[notify]]
name = "slack-a"
kind = "slack"
url = { env = "BENCH_SLACK_A" }
events = ["*"]

[[notify]]
name = "slack-b"
kind = "slack"
url = { env = "BENCH_SLACK_B" }
events = ["*"]
EOF
}

stop() { # stop PID: SIGTERM, and wait for it
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# deliverer DB: starts `notify --watch` on DB and waits until it has
# started every destination (their places are set at its first pass);
# sets DELIVERER_PID.
deliverer() {
    INCIDENT_DB=$1 INCIDENT_CONFIG=$W/notify.toml "$BIN" notify --watch 2>>"$W/deliverer.log" &
    DELIVERER_PID=$!
    STARTED+=("$DELIVERER_PID")
    for _ in $(seq 100); do
        [[ $(started "$1") == 3 ]] && return 0
        sleep 0.1
    done
    echo "benches/notify.sh: the deliverer did not start its destinations" >&2
    cat "$W/deliverer.log" >&2
    exit 1
}

started() { # started DB: how many destinations have a place
    INCIDENT_DB=$1 INCIDENT_CONFIG=$W/notify.toml "$BIN" deliveries --json |
        python3 -c 'import json,sys; print(sum(1 for d in json.load(sys.stdin) if d.get("started")))'
}

backlog() { # backlog DB: events still to deliver, all destinations together
    INCIDENT_DB=$1 INCIDENT_CONFIG=$W/notify.toml "$BIN" deliveries --json |
        python3 -c 'import json,sys; print(sum(d.get("backlog") or 0 for d in json.load(sys.stdin)))'
}

cpu_s() { # cpu_s PID: the process's user + system CPU seconds so far
    python3 -c '
import os, sys
f = open("/proc/%s/stat" % sys.argv[1]).read().rsplit(")", 1)[1].split()
print((int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK"))' "$1"
}

written() { # written PID: bytes the process has written so far (/proc/PID/io wchar)
    awk '/^wchar/ {print $2}' "/proc/$1/io"
}

# --- the backends ------------------------------------------------------------

BACKENDS=(sqlite)
db_url() { # db_url BACKEND NAME: a database of that name (created)
    case $1 in
    sqlite) echo "$W/$2.db" ;;
    postgres)
        "${PSQL[@]}" -d postgres -c "CREATE DATABASE $2" >/dev/null
        echo "postgres://postgres@/$2?host=$PGDIR"
        ;;
    esac
}

if [[ $PG != no ]] && have_postgres; then
    start_postgres
    BACKENDS+=(postgres)
elif [[ $PG == yes ]]; then
    echo "benches/notify.sh --postgres needs PostgreSQL's initdb: apt-get install postgresql" >&2
    exit 1
fi

# --- 1. what delivery adds to a write command --------------------------------

printf '%-62s %12s  %7s\n' "case" "median" "ratio to the plain database"
n=0
for backend in "${BACKENDS[@]}"; do
    n=$((n + 1))
    plain=$(db_url "$backend" "plain$n")
    notified=$(db_url "$backend" "notified$n")
    seed "$plain" 10 30 --open 10 --resolved 0 2>/dev/null
    seed "$notified" 10 30 --open 10 --resolved 0 2>/dev/null
    receiver "$W/write-cost-$backend.tsv"
    deliverer "$notified"
    sync
    WITH=(env "INCIDENT_DB=$notified" "INCIDENT_CONFIG=$W/notify.toml" "$BIN" -q)
    PLAIN=(env "INCIDENT_DB=$plain" "$BIN" -q)
    floor "$backend: update, no destinations, no deliverer" "${PLAIN[@]}" update 1 "$TEXT"
    bench "$backend: update, 3 destinations, deliverer running" \
        "$backend: update, no destinations, no deliverer" "$FAST" -- "${WITH[@]}" update 1 "$TEXT"
    floor "$backend: declare, no destinations, no deliverer" "${PLAIN[@]}" declare "Checkout returns 500s" --severity SEV2 --service checkout --force
    bench "$backend: declare, 3 destinations, deliverer running" \
        "$backend: declare, no destinations, no deliverer" "$FAST" -- "${WITH[@]}" declare "Checkout returns 500s" --severity SEV2 --service checkout --force
    # Everything those recorded reaches the receiver, then the deliverer
    # stops: the same commands with the destinations configured, no
    # deliverer.
    for _ in $(seq 300); do [[ $(backlog "$notified") == 0 ]] && break; sleep 0.2; done
    echo "  ($backend: backlog after the timed commands: $(backlog "$notified") events)" >&2
    stop "$DELIVERER_PID"
    bench "$backend: update, 3 destinations, no deliverer" \
        "$backend: update, no destinations, no deliverer" "$FAST" -- "${WITH[@]}" update 1 "$TEXT"
    stop "$RECV_PID"
done

# --- 2. load: RATE events a second to three destinations ---------------------

echo
echo "load: $RATE updates/s for $LOAD_SECONDS s over 10 incidents, one deliverer, 3 destinations"
n=0
for backend in "${BACKENDS[@]}"; do
    n=$((n + 1))
    db=$(db_url "$backend" "load$n")
    seed "$db" 10 30 --open 10 --resolved 0 2>/dev/null
    receiver "$W/received-$backend.tsv"
    deliverer "$db"
    cpu0=$(cpu_s "$DELIVERER_PID")
    INCIDENT_DB=$db INCIDENT_CONFIG=$W/notify.toml python3 "$HELPER" write "$W/writes-$backend.tsv" \
        --rate "$RATE" --seconds "$LOAD_SECONDS" --keys 10 -- "$BIN" -q update
    ended=$(date +%s.%N)
    left=$(backlog "$db")
    for _ in $(seq 600); do [[ $(backlog "$db") == 0 ]] && break; sleep 0.2; done
    drained=$(python3 -c "import sys, time; print('%.1f' % (time.time() - float(sys.argv[1])))" "$ended")
    cpu1=$(cpu_s "$DELIVERER_PID")
    stop "$DELIVERER_PID"
    stop "$RECV_PID"
    echo "$backend:"
    python3 "$HELPER" report "$W/writes-$backend.tsv" "$W/received-$backend.tsv"
    python3 "$HELPER" report --json "$W/writes-$backend.tsv" "$W/received-$backend.tsv" >"${OUT%.tsv}-load-$backend.json"
    printf '  backlog when the writes ended: %s events; none left %s s later; deliverer CPU %.1f s\n' \
        "$left" "$drained" "$(python3 -c "print($cpu1 - $cpu0)")"
done

# --- 3. capacity: a backlog, no writer competing -----------------------------

echo
echo "capacity: a backlog of $((RATE * 10)) events, drained by one 'incident notify'"
n=0
for backend in "${BACKENDS[@]}"; do
    n=$((n + 1))
    db=$(db_url "$backend" "backlog$n")
    seed "$db" 10 30 --open 10 --resolved 0 2>/dev/null
    receiver "$W/capacity-$backend.tsv"
    INCIDENT_DB=$db INCIDENT_CONFIG=$W/notify.toml "$BIN" -q notify # start the destinations
    INCIDENT_DB=$db python3 "$HELPER" write "$W/backlog-writes-$backend.tsv" --rate "$RATE" --seconds 10 --keys 10 -- "$BIN" -q update
    sync
    t0=$(date +%s.%N)
    INCIDENT_DB=$db INCIDENT_CONFIG=$W/notify.toml "$BIN" -q notify
    t1=$(date +%s.%N)
    stop "$RECV_PID"
    python3 -c "
import sys
t, n = float(sys.argv[2]) - float(sys.argv[1]), sum(1 for _ in open(sys.argv[3]))
print('$backend: %d sends in %.2f s: %.0f sends/s, %.2f ms a send' % (n, t, n / t, 1000 * t / n))" "$t0" "$t1" "$W/capacity-$backend.tsv"
done

# --- 4. idle -------------------------------------------------------------------

echo
echo "idle: a deliverer for 10 s with nothing recorded"
n=0
for backend in "${BACKENDS[@]}"; do
    n=$((n + 1))
    db=$(db_url "$backend" "idle$n")
    seed "$db" 10 30 --open 10 --resolved 0 2>/dev/null
    receiver "$W/idle-$backend.tsv"
    deliverer "$db"
    sleep 2
    c0=$(cpu_s "$DELIVERER_PID") w0=$(written "$DELIVERER_PID")
    sleep 10
    c1=$(cpu_s "$DELIVERER_PID") w1=$(written "$DELIVERER_PID")
    stop "$DELIVERER_PID"
    stop "$RECV_PID"
    printf '%s: CPU %.2f s, %d bytes written in 10 s\n' "$backend" "$(python3 -c "print($c1 - $c0)")" "$((w1 - w0))"
done
echo "results in $OUT" >&2
