#!/usr/bin/env bash
# The alert intake benchmark: a release `incident serve` on loopback, fed
# by the `bench-alerts` example (examples/bench-alerts/): TOTAL Alertmanager
# webhooks from 8 concurrent keep-alive senders over 100 alert identities,
# so most are repeats. For each size it prints the sender's figures
# (alerts/s, p50/p99 latency), the server's peak resident memory (VmHWM),
# and checks that every alert answered 2xx is in the database (the alerts'
# times_seen add up to the 2xx count).
#
#   bash benches/alerts.sh                 # 10,000 and 30,000 alerts
#   bash benches/alerts.sh 10000           # one size
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIZES=("$@")
[[ ${#SIZES[@]} == 0 ]] && SIZES=(10000 30000)
command -v python3 >/dev/null || { echo "benches/alerts.sh needs python3" >&2; exit 1; }

echo "building the release binary and the sender …" >&2
cd "$ROOT"
cargo build --release --quiet --bin incident --example bench-alerts
TARGET=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
BIN=$TARGET/release/incident
SENDER=$TARGET/release/examples/bench-alerts

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cat >"$WORK/config.toml" <<'TOML'
[[alerts.rules]]
match = { severity = "critical" }
action = "open"
severity = "SEV1"
category = "availability"
TOML

for total in "${SIZES[@]}"; do
    rm -f "$WORK"/db*
    INCIDENT_DB=$WORK/db INCIDENT_CONFIG=$WORK/config.toml INCIDENT_USER=bench \
        "$BIN" serve --listen 127.0.0.1:0 2>"$WORK/serve.log" &
    pid=$!
    for _ in $(seq 100); do grep -q "listening on" "$WORK/serve.log" 2>/dev/null && break; sleep 0.1; done
    addr=$(sed -n 's/.*listening on http:\/\///p' "$WORK/serve.log" | head -1)
    result=$("$SENDER" "$addr" "$total" 100 8)
    peak=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
    kill -TERM "$pid"
    wait "$pid" && code=0 || code=$?
    stored=$(INCIDENT_DB=$WORK/db "$BIN" --json alerts | python3 -c 'import json,sys; print(sum(a["times_seen"] for a in json.load(sys.stdin)))')
    incidents=$(INCIDENT_DB=$WORK/db "$BIN" --json list --all | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
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
done
