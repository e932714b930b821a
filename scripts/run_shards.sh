#!/usr/bin/env bash
# Runs one `qeval run` as N shards in separate local processes, then merges the shard databases: exactly the
# commands a Slurm job array or a Kubernetes Indexed Job runs, one per array index (README, "Large evaluations").
#
#   scripts/run_shards.sh -n N -o OUT.sqlite [-d SHARD_DIR] [-j JOBS] -- RUN_ARGS...
#
# Shard i runs `qeval run RUN_ARGS --shard i/N --db SHARD_DIR/shard-i.sqlite` (log: SHARD_DIR/shard-i.log), at most
# JOBS at once (default N). When every shard succeeded: `qeval merge OUT SHARD_DIR/shard-*.sqlite`. When a shard
# failed, its log tail is printed and nothing is merged; running the same command again resumes every shard (a
# finished shard asks nothing again). QEVAL names the qeval binary (default: `qeval` on PATH).
set -euo pipefail

usage() {
    sed -n '2,11s/^# \{0,1\}//p' "$0" >&2
    exit 2
}

n="" out="" dir="" jobs=""
while getopts "n:o:d:j:h" opt; do
    case "$opt" in
    n) n="$OPTARG" ;;
    o) out="$OPTARG" ;;
    d) dir="$OPTARG" ;;
    j) jobs="$OPTARG" ;;
    *) usage ;;
    esac
done
shift $((OPTIND - 1))
[[ "${1:-}" == "--" ]] && shift
[[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "run_shards.sh: -n N (a positive number of shards) is required" >&2; usage; }
[[ -n "$out" ]] || { echo "run_shards.sh: -o OUT.sqlite is required" >&2; usage; }
[[ $# -gt 0 ]] || { echo "run_shards.sh: give the qeval run arguments after --" >&2; usage; }
jobs="${jobs:-$n}"
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "run_shards.sh: -j JOBS must be a positive number" >&2; usage; }
dir="${dir:-${out%.sqlite}-shards}"
qeval="${QEVAL:-qeval}"
mkdir -p "$dir"

pids=() failed=()
finish() { # waits for shard $1 (oldest first: shards are of equal size, so they finish in about that order)
    wait "${pids[$1]}" || failed+=("$1")
}
for ((i = 0; i < n; i++)); do
    ((i < jobs)) || finish $((i - jobs))
    "$qeval" run "$@" --shard "$i/$n" --db "$dir/shard-$i.sqlite" >"$dir/shard-$i.log" 2>&1 &
    pids[i]=$!
done
for ((i = (n > jobs ? n - jobs : 0); i < n; i++)); do finish "$i"; done

if ((${#failed[@]} > 0)); then
    for i in "${failed[@]}"; do
        echo "run_shards.sh: shard $i/$n failed; the end of $dir/shard-$i.log:" >&2
        tail -n 5 "$dir/shard-$i.log" >&2
    done
    echo "run_shards.sh: nothing merged; run the same command again to resume the shards" >&2
    exit 3
fi

shards=()
for ((i = 0; i < n; i++)); do shards+=("$dir/shard-$i.sqlite"); done
"$qeval" merge "$out" "${shards[@]}"
