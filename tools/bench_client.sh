#!/usr/bin/env bash
# Client benchmark for `qeval run --runner openai` (issue 4): requests per second and client CPU per request against
# the fake OpenAI-compatible server (tests/fakes, qeval_fake_openai) on loopback at concurrency 1, 64, 256 and 1024,
# streamed (SSE events per second) and not; peak RSS of a run that stores 100,000 samples; and, in the same script,
# the same non-streamed load through lm-evaluation-harness's `local-chat-completions` client (tools/lmeval_venv.sh)
# for the ratio at equal concurrency.
#
# What is measured for qeval is the whole `qeval run`: data set loading, request building, the HTTP client, SSE
# parsing, grading every response and committing it to SQLite (synchronous=FULL), process start to exit
# (requests/s), and its request phase, first request to last commit, as `qeval run --json` reports it in
# generate_s (phase_req/s): the part of the work that lm-eval's timed generate_until call covers. The fake
# server runs on the same machine, by default with its epoll engine (`qeval_fake_openai --engine epoll`: one event
# loop thread, 10-13 us of CPU per request at concurrency 256, two thirds of it the kernel's loopback TCP) so that it
# takes little of the CPU the client is measured on;
# FAKE_ENGINE=httplib uses the tests' cpp-httplib engine (a thread per connection, 50-80 us per request) as before.
# Its CPU is reported beside (server_cpu_s, server_us/request). Targets (issue 4): >= 10,000 requests/s and
# >= 200,000 stream events/s at concurrency 256 on a 2-core machine, >= 10x lm-eval's throughput at equal concurrency.
#
# Usage: tools/bench_client.sh [BUILD_DIR]      (default build; builds qeval and qeval_fake_openai if needed)
#   N=50000       requests per qeval measurement (concurrency 1 uses N/2: a run of some seconds, so that its start-up,
#                 which lm-eval's timed call does not include, stays near 1%)
#   LMEVAL_N=6000 requests per lm-eval measurement (lm-eval is slower: about 2 s a round; c=1 uses LMEVAL_N/10)
#   ROUNDS=5      alternating rounds of qeval and lm-eval per level; the ratio is of the two medians (single rounds
#                 of either move by 10% or more on this shared machine)
#   CHUNKS=16     content deltas per streamed answer (events per response = CHUNKS + 4: role, finish, usage, [DONE])
#   LEVELS="1 64 256 1024"   SKIP_LMEVAL=1 to leave lm-eval out   RSS_SAMPLES=100000
#   FAKE_ENGINE=epoll (or httplib)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
[[ $build = /* ]] || build=$root/$build
N=${N:-50000}
LMEVAL_N=${LMEVAL_N:-6000}
CHUNKS=${CHUNKS:-16}
LEVELS=${LEVELS:-"1 64 256 1024"}
ROUNDS=${ROUNDS:-5}
RSS_SAMPLES=${RSS_SAMPLES:-100000}
FAKE_ENGINE=${FAKE_ENGINE:-epoll}

cmake --build "$build" --target qeval qeval_fake_openai -j"$(nproc)" >/dev/null
qeval=$build/qeval
fake=$build/tests/qeval_fake_openai
tmp=$(mktemp -d)
trap 'kill $fake_pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT

# A made-up MATH-500-shaped data set (problem i asks for i + 7): 2,000 problems, samples make up the rest.
problems=2000
mkdir -p "$tmp/data/math500"
python3 - "$tmp/data/math500/test.jsonl" "$problems" <<'EOF'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        f.write(json.dumps({"unique_id": f"made-up/{i}.json", "problem": f"Compute ${i} + 7$.",
                            "solution": f"$\\boxed{{{i + 7}}}$", "answer": str(i + 7),
                            "subject": "Prealgebra", "level": 1}) + "\n")
EOF

"$fake" --engine "$FAKE_ENGINE" --port 0 --port-file "$tmp/port" --threads 1100 --chunks "$CHUNKS" --accuracy 0.7 \
    --task math500 --data-dir "$tmp/data" >"$tmp/fake.log" 2>&1 &
fake_pid=$!
for _ in $(seq 100); do [[ -s $tmp/port ]] && break; sleep 0.1; done
port=$(cat "$tmp/port")
base=http://127.0.0.1:$port/v1

fake_cpu() { awk '{print $14 + $15}' "/proc/$fake_pid/stat"; } # clock ticks (the short-stream server)
hz=$(getconf CLK_TCK)

# qeval_run N CONCURRENCY STREAM_FLAG -> "wall user sys rss_kb server_cpu_s stored generate_s"
qeval_run() {
    local n=$1 c=$2 stream=$3 samples=$(( ($1 + problems - 1) / problems )) limit
    limit=$(( n / samples ))
    rm -f "$tmp"/q.sqlite*
    local before after
    before=$(fake_cpu)
    /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$qeval" run --task math500 --variant bench --runner openai \
        --base-url "$base" --model fake-model --samples "$samples" --limit "$limit" --concurrency "$c" "$stream" \
        --db "$tmp/q.sqlite" --data-dir "$tmp/data" --quiet --json >"$tmp/run.json"
    after=$(fake_cpu)
    local stored errors phase
    read -r stored errors phase < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))[0]
print(r["stored"], r["errors"], r["generate_s"])' "$tmp/run.json")
    [[ $stored -eq $(( samples * limit )) && $errors -eq 0 ]] || { echo "qeval stored $stored, errors $errors" >&2; exit 1; }
    echo "$(cat "$tmp/time") $(awk -v a="$before" -v b="$after" -v hz="$hz" 'BEGIN{printf "%.2f", (b-a)/hz}') $stored $phase"
}

echo "qeval $("$qeval" --version 2>/dev/null | head -1)  fake server: $base ($FAKE_ENGINE engine)  $(nproc) cores  $(date -u +%FT%TZ)"
echo "load: $(uptime | sed 's/.*load average/load average/')"
echo
row() { printf '%-24s %6s %8s %8s %11s %11s %14s %10s %12s %10s\n' "$@"; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END{print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

# qeval_row MODE C N: one `qeval run`, printed as a row; echoes nothing else. Sets last_rate (whole process) and
# last_phase_rate (the request phase: `qeval run`'s generate_s, from its first request to its last commit).
qeval_row() {
    local mode=$1 c=$2 n=$3 wall user sys rss server stored phase rate cpu events=-
    read -r wall user sys rss server stored phase < <(qeval_run "$n" "$c" "$mode")
    rate=$(awk -v n="$stored" -v w="$wall" 'BEGIN{printf "%.0f", n/w}')
    last_phase_rate=$(awk -v n="$stored" -v w="$phase" 'BEGIN{printf "%.0f", n/w}')
    cpu=$(awk -v n="$stored" -v u="$user" -v s="$sys" 'BEGIN{printf "%.0f", (u+s)*1e6/n}')
    [[ $mode = --stream ]] && events=$(awk -v n="$stored" -v w="$wall" -v k="$CHUNKS" 'BEGIN{printf "%.0f", n*(k+4)/w}')
    row "qeval ${mode#--}" "$c" "$stored" "$wall" "$rate" "$last_phase_rate" "$cpu" "$events" "$server" \
        "$(awk -v n="$stored" -v s="$server" 'BEGIN{printf "%.0f", s*1e6/n}')"
    last_rate=$rate
}

# lmeval_row C N: one lm-eval generate_until of N requests, printed as a row. Sets last_rate.
lmeval_row() {
    local c=$1 n=$2 before after out server name wall rate cpu
    before=$(fake_cpu)
    out=$("$py" "$root/tools/lmeval_client_load.py" --base-url "$base/chat/completions" --model fake-model \
        --requests "$n" --concurrency "$c" --no-progress 2>"$tmp/lmeval.err") || { cat "$tmp/lmeval.err" >&2; exit 1; }
    after=$(fake_cpu)
    server=$(awk -v a="$before" -v b="$after" -v hz="$hz" 'BEGIN{printf "%.2f", (b-a)/hz}')
    read -r name wall rate cpu < <(python3 -c '
import json, sys
j = json.loads(sys.argv[1])
print(j["client"].replace(" ", "-"), round(j["wall_s"], 2), round(j["requests_per_s"]), round(j["cpu_ms_per_request"] * 1000))
' "$out")
    row "$name" "$c" "$n" "$wall" "$rate" "$rate" "$cpu" - "$server" "$(awk -v n="$n" -v s="$server" 'BEGIN{printf "%.0f", s*1e6/n}')"
    last_rate=$rate
}

if [[ -z ${SKIP_LMEVAL:-} ]]; then
    "$root/tools/lmeval_venv.sh" >&2
    py=${LMEVAL_VENV:-/work/venvs/lmeval}/bin/python
    echo "peer: $("$py" -c 'import importlib.metadata as m; print("lm-eval", m.version("lm_eval"), "aiohttp", m.version("aiohttp"))')"
fi
# Per level: qeval streamed once, then ROUNDS alternating rounds of qeval (not streamed) and lm-eval; the ratio is
# of the medians, so a moment of load on this shared machine moves one round, not the verdict. Two ratios: of the
# whole `qeval run` process (start-up, data loading, building 50,000 requests and the end-of-run summary included,
# about 0.1 s that lm-eval's timed call leaves out), and of its request phase (generate_s: first request to last
# commit, grading and durable storage included; lm-eval's timed generate_until covers the same phase of its work,
# with no grading or storage).
summary=()
row client concur requests wall_s requests/s phase_req/s cpu_us/request events/s server_cpu_s server_us/req
for c in $LEVELS; do
    n=$N
    [[ $c -eq 1 ]] && n=$(( N / 2 ))
    qeval_row --stream "$c" "$n"
    q_rates="" p_rates="" l_rates="" ratios="" phase_ratios=""
    for _ in $(seq "$ROUNDS"); do
        qeval_row --no-stream "$c" "$n"
        q=$last_rate p=$last_phase_rate
        q_rates+=" $q"
        p_rates+=" $p"
        if [[ -z ${SKIP_LMEVAL:-} ]]; then
            ln=$LMEVAL_N
            [[ $c -eq 1 ]] && ln=$(( LMEVAL_N / 10 ))
            lmeval_row "$c" "$ln"
            l_rates+=" $last_rate"
            ratios+=" $(awk -v q="$q" -v l="$last_rate" 'BEGIN{printf "%.1f", q/l}')"
            phase_ratios+=" $(awk -v q="$p" -v l="$last_rate" 'BEGIN{printf "%.1f", q/l}')"
        fi
    done
    if [[ -z ${SKIP_LMEVAL:-} ]]; then
        qm=$(echo "$q_rates" | median) pm=$(echo "$p_rates" | median) lm=$(echo "$l_rates" | median)
        summary+=("$(printf 'concurrency %5s: lm-eval %5.0f req/s; qeval whole process %6.0f req/s: %5.1fx (rounds:%s); request phase %6.0f req/s: %5.1fx (rounds:%s)' \
            "$c" "$lm" "$qm" "$(awk -v q="$qm" -v l="$lm" 'BEGIN{print q/l}')" "$ratios" \
            "$pm" "$(awk -v q="$pm" -v l="$lm" 'BEGIN{print q/l}')" "$phase_ratios")")
    fi
done
if [[ ${#summary[@]} -gt 0 ]]; then
    echo
    echo "qeval / lm-eval, not streamed, equal concurrency, medians of $ROUNDS rounds (target >= 10x):"
    printf '  %s\n' "${summary[@]}"
fi

echo
# Long streams (reasoning outputs run to thousands of tokens): SSE events per second with LONG_CHUNKS deltas each.
LONG_CHUNKS=${LONG_CHUNKS:-256}
"$fake" --engine "$FAKE_ENGINE" --port 0 --port-file "$tmp/port2" --threads 1100 --chunks "$LONG_CHUNKS" --accuracy 0.7 \
    --task math500 --data-dir "$tmp/data" >"$tmp/fake2.log" 2>&1 &
fake2_pid=$!
for _ in $(seq 100); do [[ -s $tmp/port2 ]] && break; sleep 0.1; done
base_short=$base
base=http://127.0.0.1:$(cat "$tmp/port2")/v1
read -r wall user sys rss server stored _ < <(qeval_run 4000 256 --stream)
echo "long streams ($LONG_CHUNKS content deltas, $((LONG_CHUNKS + 4)) events each), concurrency 256: $stored requests in ${wall} s," \
     "$(awk -v n="$stored" -v w="$wall" -v k="$LONG_CHUNKS" 'BEGIN{printf "%.0f", n*(k+4)/w}') events/s," \
     "client CPU $(awk -v n="$stored" -v k="$LONG_CHUNKS" -v u="$user" -v s="$sys" 'BEGIN{printf "%.2f", (u+s)*1e6/(n*(k+4))}') us/event"
kill "$fake2_pid"
base=$base_short

echo
# Peak RSS of a run that stores RSS_SAMPLES samples (streamed, concurrency 256).
read -r wall user sys rss server stored _ < <(qeval_run "$RSS_SAMPLES" 256 --stream)
echo "peak RSS of qeval run storing $stored samples: $(( rss / 1024 )) MiB (wall ${wall} s, $(awk -v n="$stored" -v w="$wall" 'BEGIN{printf "%.0f", n/w}') requests/s)"
