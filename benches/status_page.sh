#!/usr/bin/env bash
# The status page and the metrics at 100,000 incidents (10 events each, one
# every 47 minutes: about 2,750 in the last 90 days, a third of them on the
# two public components): writing the site anew, writing it when nothing
# changed, and gathering the metrics. Target: the site under a second
# (issue 28: only the 90-day window and open incidents are rendered).
#
#   bash benches/status_page.sh           # about 3 minutes on 2 cores
#   bash benches/status_page.sh --quick
#
# Results: a table on stdout, the rows as TSV in $OUT (default
# target/bench/status-page.tsv). Figures: BENCHMARKS.md.
set -euo pipefail

QUICK=0
[[ "${1:-}" == "--quick" ]] && QUICK=1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/target/bench/status-page.tsv}
mkdir -p "$(dirname "$OUT")"
source "$ROOT/benches/lib.sh"

export INCIDENT_NOW=2026-11-23T08:00:00Z
echo "seeding 100k incidents (10 events each; the last 20 open) …" >&2
seed "$W/100k.db" 100000 1000000
cat >"$W/config.toml" <<'TOML'
[status_page]
title = "Example status"
components = [{ service = "api", name = "API" }, { service = "web", name = "Website" }]
TOML
export INCIDENT_DB=$W/100k.db INCIDENT_CONFIG=$W/config.toml
sync

printf '%-44s %12s\n' "case" "median"
bench "status-page --out, written anew (100k)" - "$SLOW" --prepare "rm -rf $W/site $W/.site.*" -- "$BIN" -q status-page --out "$W/site"
"$BIN" -q status-page --out "$W/site"
bench "status-page --out, unchanged (100k)" - "$SLOW" -- "$BIN" -q status-page --out "$W/site"
echo "files: $(find -L "$W/site" -type f | wc -l), $(du -sLh "$W/site" | cut -f1)" >&2
bench "metrics (100k)" - "$SLOW" -- "$BIN" metrics
