#!/usr/bin/env bash
# A whole incident driven from a shell script, declaration to closed: a
# game-day drill, or the shape of an integration. Runs against a throwaway
# database unless INCIDENT_DB is set, and needs nothing but bash.
#
#   bash examples/drill.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
incident=${INCIDENT_BIN:-incident}
export INCIDENT_DB=${INCIDENT_DB:-$(mktemp -d)/drill.db}
export INCIDENT_USER=${INCIDENT_USER:-drill-bot}

# Declare, keeping the key for every later command.
key=$($incident declare "Checkout returns 500s" \
  --severity SEV2 --category availability --service checkout \
  --commander alice --detected-by monitoring --started-at "10 min ago" \
  --channel https://chat.example/inc-checkout)
echo "declared $key"

# Triage without a terminal: flags (or --answers examples/assess-answers.toml).
$incident assess "$key" --impact "Card payments fail at checkout" \
  --sees "HTTP 500 on the pay step" --customers some --tickets 3 --check A1,A5 --yes

$incident assign-role "$key" scribe bob
$incident --as bob update "$key" "Error rate on /pay at 12%" --kind evidence
$incident escalate "$key" --to dba-oncall --severity SEV1 --reason "orders table locked"
$incident --as carol update "$key" "Rolling back deploy 4821" --kind action --status identified
$incident update "$key" "Checkout is failing for some customers. Next update in 30 minutes." \
  --external --next-update 30m
$incident update "$key" --status mitigated
$incident resolve "$key" --summary "Rolled back deploy 4821; orders table unlocked"

# The retrospective from an answers file, then closing it.
$incident retro "$key" --answers "$here/retro-answers.toml"
$incident retro "$key" --complete

# What a cron job would run: exit 3 means a response target was missed.
if $incident check --quiet >/dev/null; then echo "check: all targets met"; else echo "check: exit $?"; fi

$incident topic "$key"
$incident verify "$key"
