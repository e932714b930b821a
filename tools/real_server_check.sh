#!/usr/bin/env bash
# Checks `qeval run --runner openai` against a real OpenAI-compatible server nobody here wrote: llama-cpp-python's
# server (its stock `python -m llama_cpp.server`, FastAPI + sse-starlette, started through
# tools/llama_server_recorded.py, which only records each request's fields and how it was answered) on loopback,
# serving a tiny random-weight llama GGUF from tools/make_tiny_gguf.py (gibberish answers: this checks the protocol,
# not accuracy). Dev only, not CI.
# Steps: venv (tools/llama_venv.sh; the first time it compiles llama.cpp, 10-15 min), model, server on a free port
# with an API key, two curl smoke requests (non-streaming, streaming), then qeval on LIMIT MATH-500 problems twice
# (--stream, then --no-stream; separate variants, one temp database), then `qeval runs --json` / `qeval export` and
# the server's record checked by tools/real_server_report.py: every (problem, sample) stored once, no errors, no
# empty responses, --stream requests really streamed (and finished) and --no-stream ones did not, and (greedy
# decoding) the same text both ways. Prints a short report; stops the server; exits non-zero on any failure.
#
# Usage: tools/real_server_check.sh [QEVAL (binary or build dir; default $QEVAL_BIN or build/qeval)] [OUT_DIR]
#   OUT_DIR default /tmp/qeval-real-server (server log, wire records, curl replies, run/export outputs, runs.db).
#   Env: QEVAL_DATA_DIR (else ../shared/data), LLAMA_VENV (/work/venvs/llama), LIMIT (20), MAX_TOKENS (32),
#   CONCURRENCY (4), TEMPERATURE (0), N_CTX (4096), N_THREADS (2), MODEL_SEED (0).
set -euo pipefail
cd "$(dirname "$0")/.."
qeval=${1:-${QEVAL_BIN:-build/qeval}}
[[ -d "$qeval" ]] && qeval="$qeval/qeval"
[[ -x "$qeval" ]] || { echo "no qeval binary at $qeval (build first, or pass its path)" >&2; exit 2; }
qeval=$(realpath "$qeval")
out=${2:-/tmp/qeval-real-server}
export QEVAL_DATA_DIR=${QEVAL_DATA_DIR:-../shared/data}
limit=${LIMIT:-20}
max_tokens=${MAX_TOKENS:-32}
concurrency=${CONCURRENCY:-4}
temperature=${TEMPERATURE:-0}
mkdir -p "$out"
source tools/llama_venv.sh

model="$out/tiny.gguf"
"$LLAMA_PY" tools/make_tiny_gguf.py "$model" --seed "${MODEL_SEED:-0}" --context "${N_CTX:-4096}"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port/v1"
export OPENAI_API_KEY="qeval-check-$RANDOM$RANDOM"
# interrupt_requests off: by default this server ends a running *stream* early (sends [DONE], no finish_reason)
# whenever another request is waiting, which would truncate streamed answers at --concurrency > 1.
wire="$out/wire.jsonl"
rm -f "$wire"
"$LLAMA_PY" tools/llama_server_recorded.py "$wire" --model "$model" --model_alias tiny \
    --host 127.0.0.1 --port "$port" --n_ctx "${N_CTX:-4096}" \
    --n_threads "${N_THREADS:-2}" --n_threads_batch "${N_THREADS:-2}" --api_key "$OPENAI_API_KEY" \
    --interrupt_requests false --verbose false > "$out/server.log" 2>&1 &
server_pid=$!
stop_server() { kill "$server_pid" 2>/dev/null || return 0; wait "$server_pid" 2>/dev/null || true; }
trap stop_server EXIT

auth=(-H "Authorization: Bearer $OPENAI_API_KEY")
for _ in $(seq 120); do
    curl -fsS -m 2 "${auth[@]}" "$base/models" > "$out/models.json" 2>/dev/null && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "server exited; see $out/server.log:" >&2
        tail -20 "$out/server.log" >&2
        exit 1
    fi
    sleep 0.5
done
[[ -s "$out/models.json" ]] || { echo "server did not answer $base/models within 60 s" >&2; exit 1; }
echo "server: llama-cpp-python $("$LLAMA_PY" -c 'import llama_cpp; print(llama_cpp.__version__)') at $base" \
    "(pid $server_pid), models: $(cat "$out/models.json")"

fail=0
chat='{"model":"tiny","messages":[{"role":"user","content":"What is 1+1?"}],"max_tokens":8,"temperature":0'
curl -fsS -m 60 "${auth[@]}" -H 'Content-Type: application/json' -d "$chat}" "$base/chat/completions" \
    > "$out/curl_chat.json" || fail=1
curl -fsS -m 60 -N "${auth[@]}" -H 'Content-Type: application/json' -d "$chat,\"stream\":true}" \
    "$base/chat/completions" > "$out/curl_chat_stream.txt" || fail=1
if python3 -c 'import json, sys; c = json.load(open(sys.argv[1]))["choices"][0]; assert c["message"]["content"]' \
    "$out/curl_chat.json" && grep -q '^data: \[DONE\]' "$out/curl_chat_stream.txt"; then
    echo "curl: non-streaming and streaming chat requests answered"
else
    echo "curl: chat smoke requests failed (see $out/curl_chat*.txt/json)" >&2
    fail=1
fi

db="$out/runs.db"
rm -f "$db"
runs=()
for mode in stream no-stream; do
    variant="llama-cpp-$mode"
    runs+=(--run "$variant" "$mode" "$out/export_$mode.jsonl" "$out/wire_$mode.jsonl")
    seen=$(wc -l < "$wire")
    echo "qeval run --runner openai --$mode (variant $variant, limit $limit, concurrency $concurrency)"
    t0=$(date +%s.%N)
    if ! "$qeval" run --task math500 --variant "$variant" --runner openai --base-url "$base" --model tiny \
        "--$mode" --concurrency "$concurrency" --limit "$limit" --max-tokens "$max_tokens" \
        --temperature "$temperature" --db "$db" --data-dir "$QEVAL_DATA_DIR" --json > "$out/run_$mode.json"; then
        echo "  qeval run --$mode failed (exit status above; output in $out/run_$mode.json)" >&2
        fail=1
    fi
    echo "  wall $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t0" \
        "$(date +%s.%N)") s"
    sleep 1 # the server writes a request's record just after its last byte
    tail -n +"$((seen + 1))" "$wire" > "$out/wire_$mode.jsonl"
    "$qeval" export --variant "$variant" --db "$db" > "$out/export_$mode.jsonl" || fail=1
done
"$qeval" runs --db "$db" --json > "$out/runs.json" || fail=1

same=()
[[ "$temperature" =~ ^0(\.0*)?$ ]] && same=(--same-text)
python3 tools/real_server_report.py "$out/runs.json" "${runs[@]}" --expect "$limit" "${same[@]}" || fail=1
stop_server
trap - EXIT
if (( fail )); then
    echo "FAILED (outputs in $out)" >&2
    exit 1
fi
echo "OK (outputs in $out)"
