#!/usr/bin/env bash
# Writes link/order.txt: the functions the everyday commands run, which the
# release build's linker places together at the start of the code (build.rs)
# so that a command faults in the 2 MB they run together instead of pieces
# of eleven megabytes (BENCHMARKS.md, "Code in the order it runs").
#
#   bash benches/order.sh     # about two minutes; needs valgrind
#
# Each command of benches/cli.sh's quick set runs once under callgrind on a
# seeded 1,000-incident database; every function of the binary that ran an
# instruction is listed, those that more commands run first (start-up,
# argument parsing, SQLite's core), the rest after, each group in the order
# the unordered build had them. Run it again after a change of toolchain or
# of many functions: a line naming a function that no longer exists is
# ignored, and a function missing from the file is placed after the listed
# ones, as before, so a stale file costs speed, never correctness.
set -euo pipefail

QUICK=1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=/dev/null
source "$ROOT/benches/lib.sh"
need valgrind valgrind
need nm binutils

DB=$W/order.db
seed "$DB" 1000 10000 >/dev/null
TRACES=$W/traces
mkdir -p "$TRACES"
n=0
# trace [--prepare "ARGS"] ARGS…: one command on a fresh copy of the set.
trace() {
    local prepare=""
    [[ $1 == --prepare ]] && { prepare=$2; shift 2; }
    n=$((n + 1))
    cp "$DB" "$W/run.db"
    rm -f "$W/run.db-wal" "$W/run.db-shm"
    export INCIDENT_DB=$W/run.db
    # shellcheck disable=SC2086 # the prepared command's words
    [[ -n $prepare ]] && "$BIN" -q $prepare >/dev/null
    # Its exit status is not looked at: `check` exits 1 when a deadline
    # was missed, as it does in cron.
    valgrind --tool=callgrind --dump-instr=yes --compress-strings=no --compress-pos=no \
        --callgrind-out-file="$TRACES/$n.out" "$BIN" "$@" >/dev/null 2>"$W/valgrind.err" || true
    [[ -s $TRACES/$n.out ]] ||
        { echo "benches/order.sh: incident $* did not run under valgrind:" >&2; cat "$W/valgrind.err" >&2; exit 1; }
}
KEY=995
echo "tracing …" >&2
trace --version
trace -q declare "Checkout returns 500s" --severity SEV2 --service checkout --force
trace -q update "$KEY" "Rolled back deploy 482 on checkout-api; error rate falling, watching p99 latency"
trace --prepare "assign-role $KEY scribe carol" -q assign-role "$KEY" scribe bob
trace --prepare "update $KEY --severity SEV3" -q escalate "$KEY" -s SEV1 --to dba-oncall -r "all regions now"
trace --prepare "edit $KEY --title Before" -q edit "$KEY" --title "Checkout and cart return 500s"
trace --prepare "update $KEY --status investigating" -q resolve "$KEY" --summary "Rolled back"
trace show "$KEY"
trace list
trace check
trace topic "$KEY"
trace comms "$KEY" --draft
trace search checkout

nm --defined-only --print-size "$BIN" >"$W/symbols"
python3 - "$W/symbols" "$TRACES" "$(basename "$BIN")" >"$ROOT/link/order.txt" <<'EOF'
import bisect, collections, glob, sys

symbols_file, traces, binary = sys.argv[1:]
functions = []
for line in open(symbols_file):
    parts = line.split()
    if len(parts) == 4 and parts[2] in "tTwW":
        functions.append((int(parts[0], 16), int(parts[1], 16), parts[3]))
functions.sort()
starts = [f[0] for f in functions]

runs = collections.Counter()
for trace in glob.glob(traces + "/*.out"):
    ran, ours = set(), False
    for line in open(trace):
        if line.startswith("ob="):
            ours = line.rstrip("\n").endswith("/" + binary)
        elif ours and line.startswith("0x"):
            address = int(line.split()[0], 16)
            k = bisect.bisect_right(starts, address) - 1
            if k >= 0 and address < functions[k][0] + max(functions[k][1], 1):
                ran.add(k)
    runs.update(ran)
if not runs:
    sys.exit("benches/order.sh: no function of the binary ran: was it built with symbols?")

print("# The functions the everyday commands run, most shared first: the release")
print("# build's linker places them first (build.rs). Made by benches/order.sh.")
for k in sorted(runs, key=lambda k: (-runs[k], functions[k][0])):
    print(functions[k][2])
EOF
echo "link/order.txt: $(grep -vc '^#' "$ROOT/link/order.txt") functions" >&2
