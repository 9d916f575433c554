#!/usr/bin/env bash
# A whole incident driven from a shell script: a game-day drill, or the shape
# of an integration. Runs against a throwaway database unless INCIDENT_DB is set.
#
#   bash examples/drill.sh
set -euo pipefail

incident=${INCIDENT_BIN:-incident}
export INCIDENT_DB=${INCIDENT_DB:-$(mktemp -d)/drill.db}
export INCIDENT_USER=${INCIDENT_USER:-drill-bot}

# Declare, keeping the key for every later command.
key=$($incident declare "Checkout returns 500s" \
  --severity SEV2 --category availability --service checkout \
  --commander alice --detected-by monitoring --started-at "10 min ago" \
  --channel https://chat.example/inc-checkout)
echo "declared $key"

$incident assign-role "$key" scribe bob
$incident --as bob update "$key" "Error rate on /pay at 12%" --kind evidence
$incident escalate "$key" --to dba-oncall --severity SEV1 --reason "orders table locked"
$incident --as carol update "$key" "Rolling back deploy 4821" --kind action --status identified
$incident update "$key" "Checkout is failing for some customers. Next update in 30 minutes." \
  --external --next-update 30m
$incident update "$key" --status mitigated
$incident resolve "$key" --summary "Rolled back deploy 4821; orders table unlocked"

# Machine-readable output for the rest of the pipeline.
$incident --json show "$key" | python3 -c 'import json, sys
i = json.load(sys.stdin)
print(i["key"], i["status"], "after", len(i["timeline"]), "timeline events")'
$incident topic "$key"
