#!/bin/sh
# A hook for `incident` that publishes customer-facing status updates to a
# status page: an Atlassian Statuspage (statuspage.io) page as written, easy
# to adapt to any page with an HTTP API.
#
# In ~/.config/incident/config.toml:
#
#   [[hooks]]
#   name = "status-page"
#   on = ["status_update", "resolved"]
#   run = "/path/to/examples/hooks/status-page.sh"
#   timeout = "15s"
#
# `incident update KEY "..." --external` records a status_update: the first
# one creates an incident on the page, later ones update it; `resolve`
# marks it resolved. Internal notes never reach the page. The page's
# incident id is remembered per key in STATUS_PAGE_STATE (default
# ~/.local/state/incident/status-page/).
#
# Environment (secrets stay out of config.toml; hooks inherit ours):
#   STATUS_PAGE_API    e.g. https://api.statuspage.io/v1/pages/PAGE_ID
#   STATUS_PAGE_TOKEN  the API key (sent in a curl config on fd 3, never argv)
#
# Needs: sh, python3, curl.
set -eu

: "${STATUS_PAGE_API:?status-page: set STATUS_PAGE_API}"
: "${STATUS_PAGE_TOKEN:?status-page: set STATUS_PAGE_TOKEN}"
state=${STATUS_PAGE_STATE:-${HOME:-.}/.local/state/incident/status-page}
mkdir -p "$state"
known="$state/$INCIDENT_KEY"

# Our status -> the page's; the event text is what customers read.
body=$(python3 -c '
import json, sys

doc = json.load(sys.stdin)
event, incident = doc["event"], doc["incident"]
status = {
    "investigating": "investigating",
    "identified": "identified",
    "mitigated": "monitoring",
    "resolved": "resolved",
    "closed": "resolved",
}[incident["status"]]
text = event["text"]
if event["kind"] == "resolved":
    status = "resolved"
    text = incident.get("resolution") or "This incident has been resolved."
print(json.dumps({"incident": {"name": incident["title"], "status": status, "body": text}}))
')

if [ -s "$known" ]; then
    method=PATCH
    url="$STATUS_PAGE_API/incidents/$(cat "$known").json"
elif [ "$INCIDENT_EVENT" = resolved ]; then
    # Nothing was ever published for this incident: nothing to resolve.
    exit 0
else
    method=POST
    url="$STATUS_PAGE_API/incidents.json"
fi

response=$(printf '%s' "$body" | curl --silent --show-error --fail --max-time 12 \
    --request "$method" --header 'Content-Type: application/json' --data-binary @- \
    --config /dev/fd/3 3<<CONFIG
url = "$url"
header = "Authorization: OAuth $STATUS_PAGE_TOKEN"
CONFIG
)

if [ "$method" = POST ]; then
    printf '%s' "$response" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])' >"$known"
fi
