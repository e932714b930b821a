#!/usr/bin/env bash
# Sandbox benchmark (issue 6): qeval's LiveCodeBench grading (core/sandbox with full isolation: namespaces, seccomp,
# cgroups, one fresh process tree per sample) against the official lcb_runner checker (tools/lcb_official_verdicts.py:
# evaluate_generations, one forked process per sample, in-process, no isolation) on the same inputs at equal
# parallelism (qeval score --jobs J, official --num-process J).
#   1. a trivial program (`print(1)`, graded against a real stdin problem: one execution, wrong on test 0), N times:
#      executions per second;
#   2. a batch of real problems: the rule-made programs of tools/lcb_fidelity.py (lookup tables and their wrong,
#      crashing, re-formatted variants; no spinning ones) for P stdin and P call-based problems: total time.
# qeval runs each sample forked from a warm interpreter (core/sandbox/warm.hpp, the default) and, for the record,
# cold (QEVAL_SANDBOX_WARM=0: a fresh interpreter per sample). Target: qeval >= 2x the official throughput.
#
# Usage: QEVAL_DATA_DIR=../shared/data tools/bench_sandbox.sh [BUILD_DIR]
#   LCB_REPO=/tmp/lcb_official  LCB_PYTHON=/tmp/qeval-lcb-venv/bin/python  (see tools/lcb_official_verdicts.py)
#   JOBS=$(nproc)  N=300  P=20
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
[[ $build = /* ]] || build=$root/$build
data=${QEVAL_DATA_DIR:?set QEVAL_DATA_DIR}
repo=${LCB_REPO:-/tmp/lcb_official}
py=${LCB_PYTHON:-/tmp/qeval-lcb-venv/bin/python}
jobs=${JOBS:-$(nproc)}
n=${N:-300}
p=${P:-20}
[[ -d $repo/lcb_runner && -x $py ]] || { echo "need the official tree in \$LCB_REPO and its venv in \$LCB_PYTHON" \
    "(see tools/lcb_official_verdicts.py)" >&2; exit 1; }
cmake --build "$build" --target qeval -j"$(nproc)" >/dev/null
qeval=$build/qeval
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$tmp" "$n" <<'EOF'
import json, sys
tmp, n = sys.argv[1], int(sys.argv[2])
with open(f"{tmp}/trivial.jsonl", "w") as a, open(f"{tmp}/trivial.jsonl.qeval.jsonl", "w") as b:
    for _ in range(n):
        a.write(json.dumps({"question_id": "abc365_a", "code": "print(1)\n"}) + "\n")
        b.write(json.dumps({"id": "abc365_a", "response": "```python\nprint(1)\n```"}) + "\n")
EOF
QEVAL_DATA_DIR=$data python3 "$root/tools/lcb_fidelity.py" --per-kind "$p" --slow 0 --emit "$tmp/batch.jsonl" >/dev/null

# secs CMD... -> wall seconds
secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}'; }
official() { secs "$py" "$root/tools/lcb_official_verdicts.py" --lcb-repo "$repo" --data "$data/livecodebench" \
    --solutions "$1" --tests public --num-process "$jobs" --out "$tmp/official.out"; }
ours() { secs "$qeval" score --task livecodebench --in "$1" --out "$tmp/qeval.out" --data-dir "$data" --jobs "$jobs"; }
cold() { QEVAL_SANDBOX_WARM=0 ours "$@"; }

batch=$(wc -l <"$tmp/batch.jsonl")
echo "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), jobs $jobs, $(date -u +%FT%TZ)"
printf '%-10s %10s %10s %12s %14s %16s\n' workload official_s qeval_s "qeval/official" qeval_cold_s "cold/official"
for work in trivial batch; do
    o=$(official "$tmp/$work.jsonl")
    q=$(ours "$tmp/$work.jsonl.qeval.jsonl")
    c=$(cold "$tmp/$work.jsonl.qeval.jsonl")
    count=$n; [[ $work = batch ]] && count=$batch
    ratio() { awk -v o="$1" -v q="$2" 'BEGIN{printf "%.2f", o/q}'; }
    rate() { awk -v c="$count" -v t="$1" 'BEGIN{printf "%.0f", c/t}'; }
    printf '%-10s %10s %10s %13sx %14s %15sx   (%s samples/s: official %s, qeval %s, cold %s)\n' "$work" "$o" "$q" \
        "$(ratio "$o" "$q")" "$c" "$(ratio "$o" "$c")" "$count" "$(rate "$o")" "$(rate "$q")" "$(rate "$c")"
done
