#!/usr/bin/env bash
# Speed of `qeval compare` (issue 5): a database with 3 variants x 5 tasks of 12,032 + 500 + 198 + 60 + 1,000
# problems and 8 samples each (330,960 stored samples; verdicts drawn with per-problem difficulty so the variants
# are correlated as real ones are), then `qeval compare --baseline v0 --candidate v1 --candidate v2` in each format,
# timed (wall, and CPU from /usr/bin/time), the HTML one with its details (flipped problems, trend). The limit the
# issue sets: under 2 s. Samples and each problem's breakdown groups (MMLU-Pro's 14 categories, MATH subject and
# level, GPQA domain, AIME contest, LiveCodeBench difficulty and platform) are written straight into the run store's
# tables by Python's sqlite3 (the schema comes from qeval itself), since only compare is measured.
#
# Usage: tools/bench_compare.sh [BUILD_DIR]    (default build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
[[ $build = /* ]] || build=$root/$build
cmake --build "$build" --target qeval -j"$(nproc)" >/dev/null
qeval=$build/qeval
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/bench.sqlite

# The schema, made by qeval: one tiny replay run on the bundled demo data.
echo '{"id": "none", "response": "x"}' >"$tmp/r.jsonl"
"$qeval" run --task math500 --variant schema --runner replay --responses "$tmp/r.jsonl" --limit 1 --quiet \
    --data-dir "$root/examples/demo-data" --db "$db" >/dev/null

python3 - "$db" <<'PY'
import hashlib, math, random, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
tasks = {"mmlu_pro": 12032, "math500": 500, "gpqa_diamond": 198, "aime24": 60, "livecodebench": 1000}
variants = {"v0": 0.0, "v1": -0.05, "v2": -0.30}  # shift on the probit scale: baseline, a small and a large drop
rng = random.Random(20261124)
phi = lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2)))
axes = {"mmlu_pro": {"category": 14}, "math500": {"subject": 7, "level": 5}, "gpqa_diamond": {"domain": 3},
        "aime24": {"contest": 2}, "livecodebench": {"difficulty": 3, "platform": 3}}
data_key = hashlib.sha256(b"null").hexdigest()  # the runs' provenance has no "data": RunStore::data_key(null)
rows = 0
for task, n in tasks.items():
    db.executemany("INSERT INTO problem_groups (task, data, problem_id, axis, value) VALUES (?, ?, ?, ?, ?)",
                   [(task, data_key, f"{task}-{i}", axis, f"{axis}-{i % m}")
                    for axis, m in axes[task].items() for i in range(n)])
    difficulty = [rng.gauss(0.6, 1.2) for _ in range(n)]
    for label, shift in variants.items():
        cur = db.execute(
            "INSERT INTO runs (fingerprint, variant, task, task_version, settings, provenance, status, samples_total, "
            "created_at) VALUES (?, ?, ?, '1', '{}', '{}', 'done', ?, '2026-11-24T00:00:00Z')",
            (f"bench-{label}-{task}", label, task, n * 8))
        run = cur.lastrowid
        batch = []
        for i in range(n):
            p = phi(difficulty[i] + shift)
            for k in range(8):
                r = rng.random()
                verdict = "correct" if r < p else ("no_answer" if r > 0.97 else "incorrect")
                batch.append((run, f"{task}-{i}", k, "A" if verdict == "correct" else "B", verdict,
                              "length" if rng.random() < 0.02 else "stop", rng.randint(200, 9000)))
        db.executemany(
            "INSERT INTO samples (run_id, problem_id, sample_index, extracted, verdict, finish_reason, "
            "completion_tokens, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, '2026-11-24T00:00:00Z')", batch)
        rows += len(batch)
db.commit()
print(f"{rows} samples in 3 variants x 5 tasks")
PY

for format in md json csv html; do
    /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$qeval" compare --baseline v0 --candidate v1 --candidate v2 \
        --format "$format" --db "$db" >"$tmp/out.$format"
    read -r wall user sys rss <"$tmp/time"
    echo "qeval compare --format $format: wall ${wall} s, CPU $(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}') s, peak RSS $(( rss / 1024 )) MiB (limit: 2 s wall)"
done
echo
cat "$tmp/out.md"
