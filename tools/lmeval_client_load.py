#!/usr/bin/env python3
"""Load driver: N chat requests through lm-evaluation-harness's own `local-chat-completions` client (dev only).

For the client benchmark (qeval's openai runner vs lm-eval's API client on the same fake server, equal
concurrency). Builds lm_eval.models.openai_completions.LocalChatCompletion exactly as `lm_eval --model
local-chat-completions --model_args base_url=URL,model=NAME,num_concurrent=C,max_gen_toks=T --apply_chat_template`
does, turns N distinct short user prompts into generate_until Instances with lm-eval's own apply_chat_template, and
times one lm.generate_until(...) call: nothing of ours runs inside the timed region. lm-eval does not stream.
Prints one JSON line: {"client", "requests", "concurrency", "wall_s", "requests_per_s", "cpu_s",
"cpu_ms_per_request", "ok"} where cpu_s is this process's user+sys CPU (getrusage) during the call and ok counts
non-empty answers (must equal requests, else exit 1).

What lm-eval 0.4.13 itself does around the requests (read from lm_eval/models/api_models.py):
- num_concurrent <= 1: a synchronous loop of requests.post() calls, a new connection per request (no Session).
- num_concurrent > 1: one asyncio.run() per distinct gen_kwargs group; one aiohttp ClientSession with
  TCPConnector(limit=num_concurrent) and an asyncio.Semaphore(num_concurrent); one task per request created up front
  (payloads built before the semaphore), gathered with a tqdm progress bar; ClientTimeout(total=timeout, 300 s).
- Retries: tenacity, max_retries=3 attempts in all, wait_exponential(multiplier=0.5, min=1, max=10): any HTTP
  error or exception sleeps >= 1 s before the next attempt. No other sleeps, no rate limiting.
- Chat completions force batch_size 1 (one request per HTTP call). No tokenizer is loaded and no request is made
  besides the N chats (no /v1/models, no tokenizer probe; checked: a stub saw exactly N requests).
- Body sent (seen by tools/llama_server_recorded.py): {"messages", "model", "max_tokens", "temperature": 0,
  "stop": [], "seed": 1234}: the same seed for every request, non-streaming, no stream_options.

Usage: $LMEVAL_PY tools/lmeval_client_load.py --base-url http://127.0.0.1:PORT/v1/chat/completions --model NAME
         [--requests 1000] [--concurrency 64] [--max-tokens 32] [--no-progress]
  (LMEVAL_PY from tools/lmeval_venv.sh; the API key, if any, comes from OPENAI_API_KEY as in lm-eval.)
"""
import argparse
import importlib.metadata
import json
import logging
import os
import resource
import sys
import time


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base-url", required=True, 
                    help="the full chat endpoint, e.g. http://127.0.0.1:8000/v1/chat/completions")
    ap.add_argument("--model", required=True)
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--max-tokens", type=int, default=32)
    ap.add_argument("--no-progress", action="store_true", help="disable lm-eval's tqdm bar (TQDM_DISABLE=1)")
    args = ap.parse_args()
    if args.no_progress:
        os.environ["TQDM_DISABLE"] = "1"
    logging.basicConfig(level=logging.WARNING)

    from lm_eval.api.instance import Instance
    from lm_eval.models.openai_completions import LocalChatCompletion

    lm = LocalChatCompletion(base_url=args.base_url, model=args.model, num_concurrent=args.concurrency,
                             max_gen_toks=args.max_tokens)
    gen_kwargs = {"until": [], "max_gen_toks": args.max_tokens, "temperature": 0}
    requests = [
        Instance(request_type="generate_until", doc={"i": i},
                 arguments=(lm.apply_chat_template([{"role": "user", "content": f"Problem {i}: what is {i} + {i}?"}]),
                            dict(gen_kwargs)),
                 idx=0, metadata=("load", i, 1))
        for i in range(args.requests)
    ]

    cpu0, t0 = cpu_seconds(), time.perf_counter()
    answers = lm.generate_until(requests)
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0

    ok = sum(1 for a in answers if isinstance(a, str) and a)
    print(json.dumps({
        "client": f"lm-eval {importlib.metadata.version('lm-eval')}",
        "requests": args.requests,
        "concurrency": args.concurrency,
        "wall_s": round(wall, 3),
        "requests_per_s": round(args.requests / wall, 1),
        "cpu_s": round(cpu, 3),
        "cpu_ms_per_request": round(1000 * cpu / args.requests, 3),
        "ok": ok,
    }), flush=True)
    if ok != args.requests:
        print(f"only {ok} of {args.requests} answers are non-empty", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
