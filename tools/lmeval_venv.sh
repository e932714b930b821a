#!/usr/bin/env bash
# Makes $LMEVAL_VENV (default /work/venvs/lmeval) hold lm-evaluation-harness with the extras its API model clients
# (`local-chat-completions`) need (`lm-eval[api]`: aiohttp, tenacity, requests, tqdm, tiktoken), pinned, for
# tools/lmeval_client_load.py (dev only, not CI). No torch/transformers: the chat client needs no tokenizer.
# Reuses the venv when the pinned version is already installed; prints the installed versions.
#
# Usage: tools/lmeval_venv.sh        (or `source` it: sets $LMEVAL_PY)
#   Env: LMEVAL_VENV, LMEVAL_VERSION (0.4.13).
set -euo pipefail
LMEVAL_VENV=${LMEVAL_VENV:-/work/venvs/lmeval}
LMEVAL_VERSION=${LMEVAL_VERSION:-0.4.13}
LMEVAL_PY="$LMEVAL_VENV/bin/python"
lmeval_check='import importlib.metadata as m, sys, aiohttp, tenacity, requests, tqdm
import lm_eval.models.openai_completions
sys.exit(m.version("lm-eval") != sys.argv[1])'
if ! "$LMEVAL_PY" -c "$lmeval_check" "$LMEVAL_VERSION" >/dev/null 2>&1; then
    echo "setting up $LMEVAL_VENV (lm-eval $LMEVAL_VERSION)" >&2
    lmeval_t0=$(date +%s)
    [[ -x "$LMEVAL_PY" ]] || python3 -m venv "$LMEVAL_VENV"
    "$LMEVAL_VENV/bin/pip" install -q --disable-pip-version-check --upgrade pip >&2
    nice -n 10 "$LMEVAL_VENV/bin/pip" install -q --disable-pip-version-check "lm-eval[api]==$LMEVAL_VERSION" >&2
    "$LMEVAL_PY" -c "$lmeval_check" "$LMEVAL_VERSION" ||
        { echo "lm-eval install in $LMEVAL_VENV failed" >&2; exit 2; }
    echo "set up $LMEVAL_VENV in $(( $(date +%s) - lmeval_t0 )) s" >&2
fi
"$LMEVAL_PY" -c 'import importlib.metadata as m
print(" ".join(f"{p}=={m.version(p)}" for p in ("lm-eval", "aiohttp", "tenacity", "requests", "tqdm")))'
