#!/usr/bin/env bash
# `incident search` at 100,000 incidents and 1,000,000 events (seeded by
# the `bench-seed` example, so the index is written by the same primitives
# as every command's), and what the index costs a write: `update` and
# `declare` timed interleaved against the binary of the commit this branch
# started from (built from `git archive` of it, with this branch's SQLite
# flags so the two differ by the index alone), on a copy of the same
# database with the index dropped and the schema version set back one
# step.
#
#   bash benches/search.sh
#
# Results: a table on stdout, and the rows as TSV in $OUT (default
# target/bench/search.tsv). Needs hyperfine, sqlite3, python3 (installs
# them on Debian/Ubuntu as root), and git.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/target/bench/search.tsv}
QUICK=0
mkdir -p "$(dirname "$OUT")"
source "$ROOT/benches/lib.sh"

# The binary before the index: the commit this branch started from (BASE,
# default: where HEAD left main), unless BASE_BIN names one built already.
if [[ -z ${BASE_BIN:-} ]]; then
    BASE=${BASE:-$(git -C "$ROOT" merge-base HEAD main)}
    echo "building the binary of ${BASE:0:12} (before the index) …" >&2
    mkdir -p "$W/base"
    git -C "$ROOT" archive "$BASE" | tar -x -C "$W/base"
    # In this checkout's target directory, so only the crate itself is built
    # again; SQLite with this checkout's flags (FTS5 in), so the bundled
    # SQLite is not rebuilt either and the binaries differ by the index alone.
    FLAGS=$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["env"]["LIBSQLITE3_FLAGS"])' "$ROOT/.cargo/config.toml")
    (cd "$W/base" && LIBSQLITE3_FLAGS=$FLAGS CARGO_TARGET_DIR=$ROOT/target cargo build --release --quiet --bin incident)
    BASE_BIN=$W/incident-base
    cp "$ROOT/target/release/incident" "$BASE_BIN"
    # The same directory's binary is this checkout's again.
    (cd "$ROOT" && cargo build --release --quiet --bin incident)
fi
"$BASE_BIN" search x >/dev/null 2>&1 && { echo "benches: the base binary has search" >&2; exit 1; }
"$BIN" search x >/dev/null 2>&1 || { echo "benches: this binary has no search" >&2; exit 1; }

echo "seeding 100,000 incidents and 1,000,000 events …" >&2
started=$(date +%s)
seed "$W/100k.db" 100000 1000000
echo "seeded (and indexed) in $(($(date +%s) - started)) s" >&2
OPEN=99990 # one of the 20 open incidents
# A copy without the index, at the step before it, for the base binary.
cp "$W/100k.db" "$W/base.db"
version=$(sqlite3 "$W/100k.db" "PRAGMA user_version")
sqlite3 "$W/base.db" "DROP TABLE search_fts; DROP TABLE search_docs; PRAGMA user_version = $((version - 1)); VACUUM;" >/dev/null
printf 'database: %s MB with the index, %s MB without\n' \
    "$(du -m "$W/100k.db" | cut -f1)" "$(du -m "$W/base.db" | cut -f1)"
sync

export INCIDENT_DB=$W/100k.db
printf '%-52s %12s  %7s\n' "case" "median" "ratio"
floor "floor: /bin/true" /bin/true
TRUE="floor: /bin/true"
# Queries: one incident's title (the deploy number), a sixth of them (a
# service in their titles), every incident (a word in all 100,000 titles),
# and a phrase in every one of the 1,000,000 timeline entries.
bench "search 4821 (1 incident)" "$TRUE" "$FAST" -- "$BIN" search 4821
bench "search payments deploy (16,667 incidents)" "$TRUE" "$FAST" -- "$BIN" search payments deploy
bench "search elevated (100,000 incidents)" "$TRUE" "$SLOW" -- "$BIN" search elevated
bench "search '\"error rate falling\"' (1,000,000 entries)" "$TRUE" "$SLOW" -- "$BIN" search '"error rate falling"'
bench "search 4821 --json --limit 0" "$TRUE" "$FAST" -- "$BIN" search 4821 --json --limit 0
bench "search zebra (nothing)" "$TRUE" "$FAST" -- "$BIN" search zebra

# The index's cost: each case against the base binary on the copy without
# the index, interleaved.
floor "base: update (no index)" env INCIDENT_DB="$W/base.db" "$BASE_BIN" -q update "$OPEN" \
    "Rolled back deploy 482 on checkout-api; error rate falling, watching p99 latency"
bench "update (index)" "base: update (no index)" "$FAST" -- "$BIN" -q update "$OPEN" \
    "Rolled back deploy 482 on checkout-api; error rate falling, watching p99 latency"
floor "base: declare (no index)" env INCIDENT_DB="$W/base.db" "$BASE_BIN" -q declare \
    "Checkout returns 500s" --severity SEV2 --service checkout --summary "Card payments fail"
bench "declare (index)" "base: declare (no index)" "$FAST" -- "$BIN" -q declare \
    "Checkout returns 500s" --severity SEV2 --service checkout --summary "Card payments fail"
echo "results: $OUT" >&2
