#!/bin/sh
# A hook for `incident` that posts each event to a chat webhook (Slack,
# Mattermost, Rocket.Chat, Google Chat, Teams: anything that takes an
# incoming-webhook POST with a JSON body {"text": "..."}).
#
# In ~/.config/incident/config.toml:
#
#   [[hooks]]
#   name = "chat"
#   on = ["declared", "escalated", "severity_changed", "status_update", "resolved"]
#   run = "/path/to/examples/hooks/post-to-chat.sh"
#   timeout = "10s"
#
# The webhook URL is a secret, so it is not in config.toml: hooks inherit the
# environment of whoever runs `incident`, so export it there
#
#   export CHAT_WEBHOOK_URL=https://hooks.slack.com/services/...
#
# or put it in a file only you can read and name that file in
# CHAT_WEBHOOK_FILE. The URL reaches curl through a config on file
# descriptor 3, never on its command line (where `ps` would show it).
#
# stdin is the hook document, {"event": {...}, "incident": {...}}; python3
# reads it and writes the outgoing JSON (shell quoting is no way to build
# JSON). Needs: sh, python3, curl.
set -eu

url=${CHAT_WEBHOOK_URL:-}
if [ -z "$url" ] && [ -n "${CHAT_WEBHOOK_FILE:-}" ]; then
    url=$(cat "$CHAT_WEBHOOK_FILE")
fi
if [ -z "$url" ]; then
    echo "post-to-chat: set CHAT_WEBHOOK_URL or CHAT_WEBHOOK_FILE" >&2
    exit 2
fi

body=$(python3 -c '
import json, sys

doc = json.load(sys.stdin)
event, incident = doc["event"], doc["incident"]
icons = {
    "declared": ":rotating_light:",
    "escalated": ":mega:",
    "severity_changed": ":arrow_up:",
    "status_update": ":speech_balloon:",
    "resolved": ":white_check_mark:",
}
head = "{} *{}* [{}] {} ({})".format(
    icons.get(event["kind"], ":memo:"),
    incident["key"],
    incident["severity"],
    incident["title"],
    incident["status"],
)
lines = [head, "{}: {}".format(event["author"], event["text"])]
if incident.get("commander"):
    lines.append("commander: " + incident["commander"])
lines += incident.get("channels") or []
print(json.dumps({"text": "\n".join(lines)}))
')

# --max-time stays under the hook timeout, so curl reports its own error.
printf '%s' "$body" | curl --silent --show-error --fail --max-time 8 \
    --header 'Content-Type: application/json' --data-binary @- \
    --config /dev/fd/3 3<<CONFIG
url = "$url"
CONFIG
