#!/usr/bin/env bash
# The alert intake benchmark: a release `incident serve` on loopback, fed
# by the `bench-alerts` example (examples/bench-alerts/): TOTAL Alertmanager
# webhooks from 8 concurrent keep-alive senders, over 100 alert identities
# (so most are repeats) or, with --new, each a new alert (the first of each
# of 10 groups opens an incident, the rest join it). For each size it
# prints the sender's figures (alerts/s, p50/p99 latency), the server's
# peak resident memory (VmHWM), and checks that every alert answered 2xx is
# in the database (the alerts' times_seen add up to the 2xx count) and
# that `incident verify` finds every timeline's chain intact.
#
#   bash benches/alerts.sh                     # 10,000 and 30,000 alerts, SQLite
#   bash benches/alerts.sh 10000               # one size
#   bash benches/alerts.sh --postgres --new 10000
#   BENCH_BIN=/tmp/incident-before bash benches/alerts.sh --postgres --new 10000
#
# --postgres runs against a PostgreSQL server the script starts (default
# settings: fsync and synchronous_commit on; a unix socket; as root it runs
# as the `postgres` user); it needs PostgreSQL's server programs.
set -euo pipefail

POSTGRES=0
NEW=0
SIZES=()
for arg in "$@"; do
    case $arg in
        --postgres) POSTGRES=1 ;;
        --new) NEW=1 ;;
        *) SIZES+=("$arg") ;;
    esac
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[[ ${#SIZES[@]} == 0 ]] && SIZES=(10000 30000)
command -v python3 >/dev/null || { echo "benches/alerts.sh needs python3" >&2; exit 1; }

echo "building the release binary and the sender …" >&2
cd "$ROOT"
cargo build --release --quiet --bin incident --example bench-alerts
TARGET=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
# BENCH_BIN: another build to measure (say, the previous commit's), with
# the same sender and the same database set-up.
BIN=${BENCH_BIN:-$TARGET/release/incident}
SENDER=$TARGET/release/examples/bench-alerts

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
if [[ $POSTGRES == 1 ]]; then
    W=$WORK
    source "$ROOT/benches/pg.sh"
    start_postgres
    trap 'stop_postgres; rm -rf "$WORK"' EXIT
fi
run=0
cat >"$WORK/config.toml" <<'TOML'
[[alerts.rules]]
match = { severity = "critical" }
action = "open"
severity = "SEV1"
category = "availability"
TOML

for total in "${SIZES[@]}"; do
    run=$((run + 1))
    if [[ $POSTGRES == 1 ]]; then
        "${PSQL[@]}" -d postgres -c "CREATE DATABASE run$run" >/dev/null
        DB="postgres://postgres@/run$run?host=$PGDIR"
    else
        rm -f "$WORK"/db*
        DB=$WORK/db
    fi
    identities=100
    [[ $NEW == 1 ]] && identities=$total
    INCIDENT_DB=$DB INCIDENT_CONFIG=$WORK/config.toml INCIDENT_USER=bench \
        "$BIN" serve --listen 127.0.0.1:0 2>"$WORK/serve.log" &
    pid=$!
    for _ in $(seq 100); do grep -q "listening on" "$WORK/serve.log" 2>/dev/null && break; sleep 0.1; done
    addr=$(sed -n 's/.*listening on http:\/\///p' "$WORK/serve.log" | head -1)
    result=$("$SENDER" "$addr" "$total" "$identities" 8)
    peak=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
    kill -TERM "$pid"
    wait "$pid" && code=0 || code=$?
    stored=$(INCIDENT_DB=$DB "$BIN" --json alerts | python3 -c 'import json,sys; print(sum(a["times_seen"] for a in json.load(sys.stdin)))')
    incidents=$(INCIDENT_DB=$DB "$BIN" --json list --all | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
    ok=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["ok"])' "$result")
    echo "$result" | python3 -c "
import json, sys
r = json.load(sys.stdin)
print(f\"{r['total']:>6} alerts, {r['senders']} senders, {r['identities']} identities: \"
      f\"{r['alerts_per_second']:.0f} alerts/s, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, \"
      f\"2xx {r['ok']}, failed {r['failed']}, peak RSS $((peak / 1024)) MiB, \"
      f\"stored {$stored}, incidents $incidents, exit $code\")"
    if [[ $stored != "$ok" ]]; then
        echo "MISMATCH: $ok answered 2xx but $stored recorded" >&2
        exit 1
    fi
    # Every incident's timeline chain intact after the concurrent writes.
    INCIDENT_DB=$DB "$BIN" verify >/dev/null || { echo "verify failed" >&2; exit 1; }
done
