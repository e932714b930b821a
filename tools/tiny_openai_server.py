#!/usr/bin/env python3
"""DEV STUB, for testing tools/lmeval_client_load.py only: not the benchmark's fake server, not a model.

A trivial OpenAI-shaped HTTP server (aiohttp, one process): GET /v1/models, and POST /v1/chat/completions answering
every request with the same non-streaming chat.completion JSON (optionally after --delay-ms). It does not stream and
ignores the request body beyond parsing it as JSON. Rates measured against it are only indicative: it shares the
machine's cores with the client under test.

Usage: python tools/tiny_openai_server.py [--host 127.0.0.1] [--port 0] [--delay-ms 0] [--port-file FILE]
  --port 0 picks a free port; the port is printed on stdout as `PORT <n>` and written to --port-file when given.
  On SIGTERM/SIGINT it prints how many chat requests it answered (stderr) and exits.
Needs aiohttp (e.g. the venv from tools/lmeval_venv.sh).
"""
import argparse
import asyncio
import json
import signal
import sys
import time

from aiohttp import web

MODEL = "tiny-stub"


def completion_body():
    return json.dumps({
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": "The answer is \\boxed{42}."},
            "finish_reason": "stop",
        }],
        "usage": {"prompt_tokens": 20, "completion_tokens": 8, "total_tokens": 28},
    })


async def chat(request: web.Request) -> web.Response:
    try:
        body = await request.json()
    except json.JSONDecodeError:
        return web.json_response({"error": {"message": "body is not JSON", "type": "invalid_request_error"}},
                                 status=400)
    if body.get("stream"):
        return web.json_response({"error": {"message": "this stub does not stream", "type": "invalid_request_error"}},
                                 status=400)
    delay = request.app["delay_s"]
    if delay > 0:
        await asyncio.sleep(delay)
    request.app["stats"]["served"] += 1
    return web.Response(text=completion_body(), content_type="application/json")


async def models(request: web.Request) -> web.Response:
    return web.json_response({"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "stub"}]})


async def serve(args) -> None:
    app = web.Application(client_max_size=16 * 1024 * 1024)
    app["delay_s"] = args.delay_ms / 1000.0
    app["stats"] = {"served": 0}
    app.router.add_post("/v1/chat/completions", chat)
    app.router.add_get("/v1/models", models)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, args.host, args.port, backlog=4096)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    if args.port_file:
        with open(args.port_file, "w") as f:
            f.write(f"{port}\n")
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        print(f"served {app['stats']['served']} chat requests", file=sys.stderr)
        await runner.cleanup()


def main():
    ap = argparse.ArgumentParser(description="dev stub OpenAI-shaped server (tests the lm-eval load driver only)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--delay-ms", type=float, default=0.0, help="sleep before answering each chat request")
    ap.add_argument("--port-file")
    args = ap.parse_args()
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
