# What the benchmark scripts share (sourced by benches/cli.sh,
# benches/postgres.sh, benches/search.sh and benches/notify.sh): installing
# what they need, building the release binary and the seeding tool, a
# hermetic environment in $W, a throwaway PostgreSQL server, and timing a
# case interleaved with its floor (bench) or once (floor, peak).
# Expects ROOT, OUT and QUICK to be set.

need() { # need COMMAND PACKAGE
    command -v "$1" >/dev/null 2>&1 && return 0
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        echo "installing $2 …" >&2
        apt-get install -y -qq "$2" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }
    fi
    command -v "$1" >/dev/null 2>&1 || { echo "benches: needs $1: apt-get install $2" >&2; exit 1; }
}
need hyperfine hyperfine
need sqlite3 sqlite3
[[ -x /usr/bin/time ]] || need /usr/bin/time time
need python3 python3
need script util-linux

echo "building the release binary …" >&2
# The binary's path is whatever cargo reports: target/release/ by default, or
# elsewhere with CARGO_TARGET_DIR or a --target build (docs/install.md).
BIN=$(cd "$ROOT" && cargo build --release --quiet --message-format=json-render-diagnostics | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "incident" and m.get("executable"):
        print(m["executable"])')
[[ -x $BIN ]] || { echo "benches: cargo build did not report the incident binary" >&2; exit 1; }
# example EXAMPLE: builds an example in release and prints its path. The
# seeding tool and the floors (benches/floor/) are examples, never part of
# the product binary.
example() {
    local path
    path=$(cd "$ROOT" && cargo build --release --quiet --example "$1" --message-format=json-render-diagnostics | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == sys.argv[1] and m.get("executable"):
        print(m["executable"])' "$1")
    [[ -x $path ]] || { echo "benches: cargo build did not report the $1 example" >&2; exit 1; }
    echo "$path"
}
SEED_BIN=$(example bench-seed)
FLOOR_WRITE=$(example floor-write)
FLOOR_READ=$(example floor-read)
FLOOR_EMPTY=$(example floor-empty)

W=$(mktemp -d "${TMPDIR:-/tmp}/incident-bench.XXXXXX")
trap 'stop_postgres; rm -rf "$W"' EXIT

source "$ROOT/benches/pg.sh"
# A hermetic environment: no user configuration, no hooks, a fixed actor.
export HOME=$W/home XDG_CONFIG_HOME=$W/home/.config XDG_DATA_HOME=$W/home/.local/share
mkdir -p "$HOME"
unset INCIDENT_CONFIG INCIDENT_NOW INCIDENT_NO_HOOKS RUST_BACKTRACE RUST_LIB_BACKTRACE
export INCIDENT_USER=bench NO_COLOR=1

if [[ $QUICK == 1 ]]; then FAST=10 SLOW=3 WARM=1; else FAST=30 SLOW=5 WARM=3; fi

seed() { # seed DB INCIDENTS EVENTS [more bench-seed flags]
    local db=$1 n=$2 m=$3
    shift 3
    INCIDENT_DB=$db "$SEED_BIN" --incidents "$n" --events "$m" "$@"
}

printf 'case\tmedian_ms\tfloor\tfloor_ms\tratio\tpeak_kb\n' >"$OUT"
# Each floor's command, as one hyperfine command line.
declare -A FLOOR_CMD

median_ms() { # median_ms JSON -> the median in ms
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f" % (r["median"]*1000))' "$1"
}

# timed RUNS [hyperfine options…] -- COMMAND_LINE: the median in ms, or
# nothing (and hyperfine's complaint on stderr) when the command failed.
timed() {
    local runs=$1
    shift
    local opts=()
    while [[ $1 != -- ]]; do opts+=("$1"); shift; done
    shift
    local json=$W/h.json
    hyperfine -N --style none --warmup "$WARM" --runs "$runs" "${opts[@]}" --export-json "$json" "$1" >/dev/null 2>"$W/h.err" \
        || { cat "$W/h.err" >&2; return 0; }
    median_ms "$json"
}

# bench NAME FLOOR RUNS [hyperfine options…] -- COMMAND
# A case and its floor are timed interleaved, in up to five blocks of runs
# (floor, case, floor, case, …), and the ratio is of the two medians: this
# VM's fsync and CPU speed drift within a run (a neighbour's load once
# slowed every case of a run by up to 70 % after the floor was measured),
# and a floor timed minutes earlier would turn that drift into a ratio.
bench() {
    local name=$1 floor=$2 runs=$3
    shift 3
    local opts=() prepare=""
    while [[ $1 != -- ]]; do
        if [[ $1 == --prepare ]]; then prepare=$2; shift 2; else opts+=("$1"); shift; fi
    done
    shift
    local cmd ms floor_ms="-" ratio="-"
    cmd=$(python3 -c 'import shlex, sys; print(shlex.join(sys.argv[1:]))' "$@")
    if [[ $floor == - ]]; then
        [[ -n $prepare ]] && opts+=(--prepare "$prepare")
        ms=$(timed "$runs" "${opts[@]}" -- "$cmd")
    else
        # Each command gets its own --prepare: `true` for the floor.
        [[ -n $prepare ]] && opts+=(--prepare true --prepare "$prepare")
        local blocks=$((runs < 5 ? runs : 5)) b warm=$WARM files=()
        for ((b = 1; b <= blocks; b++)); do
            hyperfine -N --style none --warmup "$warm" --runs $(((runs + blocks - 1) / blocks)) "${opts[@]}" \
                --export-json "$W/b$b.json" "${FLOOR_CMD[$floor]}" "$cmd" >/dev/null 2>"$W/h.err" \
                || { echo "FAILED: $name ($*)" >&2; cat "$W/h.err" >&2; return 0; }
            files+=("$W/b$b.json")
            warm=0
        done
        read -r ms floor_ms ratio < <(python3 - "${files[@]}" <<'PY'
import json, statistics, sys
floor, case = [], []
for path in sys.argv[1:]:
    results = json.load(open(path))["results"]
    floor += results[0]["times"]
    case += results[1]["times"]
f, c = statistics.median(floor) * 1000, statistics.median(case) * 1000
print("%.2f %.2f %.2f" % (c, f, c / f))
PY
)
    fi
    [[ -n $ms ]] || { echo "FAILED: $name ($*)" >&2; return 0; }
    printf '%s\t%s\t%s\t%s\t%s\t-\n' "$name" "$ms" "$floor" "$floor_ms" "$ratio" >>"$OUT"
    if [[ $floor == - ]]; then
        printf '%-44s %9s ms\n' "$name" "$ms"
    else
        printf '%-44s %9s ms  %6s× %s (%s ms)\n' "$name" "$ms" "$ratio" "$floor" "$floor_ms"
    fi
}

# peak NAME COMMAND…: peak resident memory of one run, in KB
peak() {
    local name=$1
    shift
    /usr/bin/time -v "$@" >/dev/null 2>"$W/time.txt"
    local kb
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$W/time.txt")
    printf '%s\t-\t-\t-\t-\t%s\n' "$name" "$kb" >>"$OUT"
    printf '%-44s %9s MB peak\n' "$name" "$(python3 -c "print('%.1f' % ($kb/1024))")"
}

floor() { # floor NAME COMMAND…: names a floor and times it once up front
    local name=$1
    shift
    FLOOR_CMD[$name]=$(python3 -c 'import shlex, sys; print(shlex.join(sys.argv[1:]))' "$@")
    bench "$name" - "$FAST" -- "$@"
}

